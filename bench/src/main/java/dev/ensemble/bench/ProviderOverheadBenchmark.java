package dev.ensemble.bench;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What ensemble's provider stack (retry, circuit breaker, ledger hook, provider mapping, transport
 * with timeouts) adds to one model call, against a bare {@link HttpClient} posting the same bytes
 * to the same scripted server in the same run. Sample mode gives p50 and p99.
 *
 * <p>Run: {@code ./mvnw -q -B package -pl bench -am -DskipTests && $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar ProviderOverhead}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ProviderOverheadBenchmark {
    private static final String ANSWER = "The quick brown fox jumps over the lazy dog, twelve words in all here.";

    private ScriptedModelServer server;
    private HttpClient bare;
    private HttpRequest plainRequest;
    private HttpRequest streamRequest;
    private ChatModel stack;
    private ChatModel stackWithLedger;
    private Store store;
    private Path storeDir;
    private ChatRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        server = ScriptedModelServer.start();
        server.rule(Rule.text(ANSWER));
        String base = server.baseUrl() + "/v1";
        ProviderSpec provider = new ProviderSpec("bench", WireProtocol.OPENAI_CHAT, base, Optional.empty(), true);
        ModelSpec model = new ModelSpec("bench-model", "bench", "bench-model", "bench",
                new Pricing(1, 2, 0.1, "bench", LocalDate.of(2026, 11, 21)), 128_000, 4096, 100, true, true, Map.of());
        Catalog catalog = new Catalog(Map.of("bench", provider), Map.of("bench-model", model), Map.of());
        stack = new ChatModels(catalog, Timeouts.DEFAULT, RetrySettings.DEFAULT, BreakerSettings.DEFAULT,
                new SecretResolver(), CallObserver.NONE).model("bench-model");
        request = ChatRequest.of(ChatMessage.user("Say the sentence."));
        try {
            storeDir = Files.createTempDirectory("ensemble-bench");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        store = Store.open(StoreSettings.DEFAULT, storeDir, ref -> "");
        stackWithLedger = new ChatModels(catalog, Timeouts.DEFAULT, RetrySettings.DEFAULT, BreakerSettings.DEFAULT,
                new SecretResolver(), new Ledger(store)).model("bench-model");

        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String plainBody = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say the sentence.\"}],\"max_tokens\":4096}";
        String streamBody = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say the sentence.\"}],"
                + "\"max_tokens\":4096,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        plainRequest = HttpRequest.newBuilder(URI.create(base + "/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(plainBody)).build();
        streamRequest = HttpRequest.newBuilder(URI.create(base + "/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(streamBody)).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
        store.close();
    }

    @Benchmark
    public String bareHttpClientPlain() throws Exception {
        return bare.send(plainRequest, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Benchmark
    public int bareHttpClientStreamed() throws Exception {
        HttpResponse<java.io.InputStream> response = bare.send(streamRequest, HttpResponse.BodyHandlers.ofInputStream());
        int lines = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (line.equals("data: [DONE]")) break;
            }
        }
        return lines;
    }

    @Benchmark
    public ChatResponse ensembleStackPlain() {
        return stack.chat(request);
    }

    /** The same, with every call written to a real SQLite ledger as the CLI does. */
    @Benchmark
    public ChatResponse ensembleStackWithLedgerPlain() {
        return stackWithLedger.chat(request);
    }

    @Benchmark
    public ChatResponse ensembleStackWithLedgerStreamed() {
        List<String> sink = new java.util.ArrayList<>();
        return stackWithLedger.chat(request, sink::add);
    }

    @Benchmark
    public ChatResponse ensembleStackStreamed() {
        List<String> sink = new java.util.ArrayList<>();
        return stack.chat(request, sink::add);
    }
}
