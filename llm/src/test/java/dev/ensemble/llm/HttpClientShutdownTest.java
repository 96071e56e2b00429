package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.provider.OllamaClient;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Closing stops the HTTP clients' selector threads: a thread left waiting in the kernel holds the
 * JVM's exit for 300 ms, which every command that asked a model or Ollama paid before.
 */
class HttpClientShutdownTest {

    /** The live selector threads of java.net.http clients. */
    private static Set<Thread> selectors() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager"))
                .collect(Collectors.toSet());
    }

    /** The selector threads that {@code action} started. */
    private static Set<Thread> startedBy(Runnable action) {
        Set<Thread> before = selectors();
        action.run();
        Set<Thread> started = selectors();
        started.removeAll(before);
        return started;
    }

    private static void assertStop(Set<Thread> threads) throws InterruptedException {
        for (Thread t : threads) t.join(Duration.ofSeconds(10));
        assertThat(threads).noneMatch(Thread::isAlive);
    }

    @Test
    void closingChatModelsStopsTheClientsItMade() throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.localModels(List.of("qwen2.5-coder:7b"));
            ProviderSpec ollama = new ProviderSpec("ollama", WireProtocol.OLLAMA, server.baseUrl(), Optional.empty(), true);
            ModelSpec qwen = new ModelSpec("qwen-coder", "ollama", "qwen2.5-coder:7b", "test", Pricing.FREE, 32_000, 4096, 40, true,
                    true, Map.of());
            Catalog catalog = Fixtures.catalog(List.of(ollama), List.of(qwen), Map.of());
            ChatModels[] models = new ChatModels[1];
            Set<Thread> started = startedBy(() -> {
                models[0] = Fixtures.factory(catalog, Fixtures.retry(1), new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                        Map.of(), new Fixtures.CollectingObserver(), new Fixtures.RecordingSleeper());
                assertThat(models[0].availability(qwen)).isEqualTo(ModelAvailability.READY);
            });
            assertThat(started).isNotEmpty();

            models[0].close();
            assertStop(started);
        }
    }

    @Test
    void closingAnOllamaClientStopsItsClient() throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.localModels(List.of("qwen2.5-coder:7b"));
            OllamaClient[] client = new OllamaClient[1];
            Set<Thread> started = startedBy(() -> {
                client[0] = new OllamaClient(server.baseUrl());
                assertThat(client[0].probe().running()).isTrue();
            });
            assertThat(started).isNotEmpty();

            client[0].close();
            assertStop(started);
        }
    }
}
