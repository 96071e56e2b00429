package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A provider's max_concurrency holds however many threads call its models at once; no limit holds nothing back. */
class ProviderGatesTest {
    private static int mostAtOnce(Integer limit) throws Exception {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            // Each answer waits a little, so calls that may overlap do.
            server.rule(Rule.text("ok").withFault(new Fault.Stall(Duration.ofMillis(300))));
            var provider = Fixtures.openAiChat("house", server.baseUrl(), null);
            if (limit != null) provider = provider.withMaxConcurrency(limit);
            Catalog catalog = Fixtures.catalog(List.of(provider), List.of(Fixtures.model("a", "house"), Fixtures.model("b", "house")), Map.of());
            ChatModels models = Fixtures.factory(catalog, Fixtures.retry(1), new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(),
                    new Fixtures.CollectingObserver(), new Fixtures.RecordingSleeper());
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<ChatResponse>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    ChatModel model = models.model(i % 2 == 0 ? "a" : "b");
                    calls.add(pool.submit(() -> model.chat(ChatRequest.of(ChatMessage.user("hi")))));
                }
                for (Future<ChatResponse> call : calls) assertThat(call.get().text()).isEqualTo("ok");
            }
            assertThat(server.requests()).hasSize(4);
            return server.maxConcurrentRequests();
        }
    }

    @Test
    void aLimitedProviderNeverServesMoreAtOnceThanItsLimitAcrossItsModels() throws Exception {
        assertThat(mostAtOnce(1)).isEqualTo(1);
        assertThat(mostAtOnce(2)).isBetween(1, 2);
    }

    @Test
    void withoutALimitCallsOverlap() throws Exception {
        assertThat(mostAtOnce(null)).isGreaterThan(1);
    }
}
