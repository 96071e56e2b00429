package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.wire.WireCodecs;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreakerRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's first event reaches the client while the provider still holds back its second: the
 * provider here sends one event and then waits until the client says it has it (or gives up after
 * a long while, which fails the test). Both the byte-for-byte path and a translated stream.
 */
class StreamFirstEventTest {
    private static final Timeouts PATIENT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(90), Duration.ofSeconds(90),
            Duration.ofMinutes(3));

    private HttpServer upstream;
    private ChatModels models;
    private GatewayServer gateway;
    private volatile CountDownLatch clientHasFirst = new CountDownLatch(1);
    private final AtomicBoolean heldUntilTheClientHadIt = new AtomicBoolean();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(event("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"held-wire\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}"));
                out.flush();
                try {
                    heldUntilTheClientHadIt.set(clientHasFirst.await(60, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write(event("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"held-wire\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}"));
                out.write(event("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"held-wire\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}"));
                out.write(event("[DONE]"));
            }
        });
        upstream.start();
        ProviderSpec provider = new ProviderSpec("held", WireProtocol.OPENAI_CHAT,
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1", Optional.empty(), true);
        Map<TaskKind, Capability> scores = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) scores.put(kind, new Capability(6.0, "test"));
        ModelSpec model = new ModelSpec("held", "held", "held-wire", "test", new Pricing(0, 0, 0, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, true, true, scores);
        Catalog catalog = new Catalog(Map.of("held", provider), Map.of("held", model), Map.of());
        RetrySettings once = new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0, Duration.ofSeconds(5));
        models = new ChatModels(catalog, PATIENT, once, new CircuitBreakerRegistry(BreakerSettings.DEFAULT), GatewayFixture.secrets(),
                CallObserver.NONE, dev.ensemble.llm.Sleeper.REAL, RandomGenerator.getDefault(), Optional.empty(), false);
        gateway = GatewayServer.start(GatewayOptions.loopback(models, GatewayFixture.secrets(), PATIENT, WireCodecs.all()));
    }

    @AfterEach
    void stop() {
        clientHasFirst.countDown();
        if (gateway != null) gateway.close();
        if (models != null) models.close();
        upstream.stop(0);
        client.shutdownNow();
    }

    @Test
    void theByteForBytePathPassesTheFirstEventOnBeforeTheSecondExists() throws Exception {
        String rest = firstThenRest("/v1/chat/completions",
                "{\"model\":\"held\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "\"Hel\"");
        assertThat(heldUntilTheClientHadIt).as("the client had the first event while the provider held the second").isTrue();
        assertThat(rest).contains("\"lo\"").contains("[DONE]");
    }

    @Test
    void aTranslatedStreamPassesTheFirstTextOnBeforeTheSecondExists() throws Exception {
        String rest = firstThenRest("/v1/messages",
                "{\"model\":\"held\",\"stream\":true,\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "\"Hel\"");
        assertThat(heldUntilTheClientHadIt).as("the client had the first text while the provider held the second").isTrue();
        assertThat(rest).contains("\"lo\"").contains("message_stop");
    }

    /** Reads lines until one contains {@code firstMark}, tells the provider, then reads the rest of the stream. */
    private String firstThenRest(String path, String body, String firstMark) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.contains(firstMark)) {
                // Events before the first text (a translated stream's start) are not what is waited for.
            }
            assertThat(line).as("the first text").isNotNull();
            clientHasFirst.countDown();
            StringBuilder rest = new StringBuilder();
            while ((line = lines.readLine()) != null) rest.append(line).append('\n');
            return rest.toString();
        }
    }

    private static byte[] event(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
