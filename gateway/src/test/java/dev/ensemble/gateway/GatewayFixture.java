package dev.ensemble.gateway;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.wire.WireCodecs;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreakerRegistry;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * A gateway on 127.0.0.1 in front of a scripted server that plays one provider per wire, with the
 * provider keys in a private environment, and a JDK HttpClient as the client.
 */
final class GatewayFixture implements AutoCloseable {
    static final String OA_KEY = "sk-upstream-openai-7f3a9c";
    static final String AN_KEY = "sk-ant-upstream-5d1e8b";
    static final String GE_KEY = "AIza-upstream-gemini-2c4d";
    static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(20));

    final ScriptedModelServer server = ScriptedModelServer.start();
    final Catalog catalog;
    final ChatModels models;
    final List<CallRecord> ledger = new CopyOnWriteArrayList<>();
    final List<CallRecord> settled = new CopyOnWriteArrayList<>();
    final AttemptTap tap = new AttemptTap(ledger::add);
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private GatewayServer gateway;

    GatewayFixture() {
        this(new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0, Duration.ofSeconds(5)));
    }

    /** With {@code retry} as every model's retry policy (the default: one attempt, no retry). */
    GatewayFixture(RetrySettings retry) {
        this(retry, Optional.empty());
    }

    /**
     * As {@link #GatewayFixture()}, plus models canned-claude (Anthropic) and canned-gpt (OpenAI chat)
     * of a provider at {@code cannedBaseUrl}: an upstream that answers with fixed bytes.
     */
    GatewayFixture(String cannedBaseUrl) {
        this(new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0, Duration.ofSeconds(5)),
                Optional.of(cannedBaseUrl));
    }

    private GatewayFixture(RetrySettings retry, Optional<String> cannedBaseUrl) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        providers.put("oa", provider("oa", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", "env:OA_KEY"));
        providers.put("an", provider("an", WireProtocol.ANTHROPIC, server.baseUrl(), "env:AN_KEY"));
        providers.put("ge", provider("ge", WireProtocol.GEMINI, server.baseUrl(), "env:GE_KEY"));
        providers.put("rs", provider("rs", WireProtocol.OPENAI_RESPONSES, server.baseUrl() + "/v1", "env:OA_KEY"));
        providers.put("slow", provider("slow", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", "env:OA_KEY").withMaxConcurrency(1));
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        for (String[] m : new String[][] {{"gpt-a", "oa"}, {"gpt-b", "oa"}, {"claude-a", "an"}, {"gemini-a", "ge"},
                {"resp-a", "rs"}, {"limited", "slow"}}) {
            specs.put(m[0], model(m[0], m[1]));
        }
        cannedBaseUrl.ifPresent(base -> {
            providers.put("canned-an", provider("canned-an", WireProtocol.ANTHROPIC, base, "env:AN_KEY"));
            providers.put("canned-oa", provider("canned-oa", WireProtocol.OPENAI_CHAT, base + "/v1", "env:OA_KEY"));
            specs.put("canned-claude", model("canned-claude", "canned-an"));
            specs.put("canned-gpt", model("canned-gpt", "canned-oa"));
        });
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        aliases.put("team", List.of("gpt-a", "gpt-b"));
        aliases.put("mixed", List.of("claude-a", "gpt-b"));
        catalog = new Catalog(providers, specs, aliases);
        models = new ChatModels(catalog, TIMEOUTS, retry, new CircuitBreakerRegistry(BreakerSettings.DEFAULT), secrets(), tap,
                dev.ensemble.llm.Sleeper.REAL, RandomGenerator.getDefault(), Optional.empty(), false);
    }

    static SecretResolver secrets() {
        return new SecretResolver(Map.of("OA_KEY", OA_KEY, "AN_KEY", AN_KEY, "GE_KEY", GE_KEY), (command, timeout) -> {
            throw new IOException("no programs in this test");
        });
    }


    GatewayOptions options() {
        Gatekeeper settling = new Gatekeeper() {
            @Override public Optional<Admission> authenticate(Optional<String> secret) {
                return Optional.empty();
            }

            @Override public void settle(Caller caller, CallRecord record) {
                settled.add(record);
            }
        };
        return GatewayOptions.loopback(models, secrets(), TIMEOUTS, WireCodecs.all())
                .withGatekeeper(settling, false)
                .withLedger(ledger::add, Optional.of(tap));
    }

    GatewayServer start() {
        return start(options());
    }

    GatewayServer start(GatewayOptions options) {
        gateway = GatewayServer.start(options);
        return gateway;
    }

    /** The started gateway's address. */
    String baseUrl() {
        return gateway.baseUrl();
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ProviderSpec provider(String name, WireProtocol wire, String baseUrl, String key) {
        return new ProviderSpec(name, wire, baseUrl, Optional.of(SecretRef.parse(key)), false);
    }

    private static ModelSpec model(String id, String provider) {
        Map<TaskKind, Capability> scores = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) scores.put(kind, new Capability(id.equals("gpt-a") ? 8.0 : 6.0, "test"));
        return new ModelSpec(id, provider, id + "-wire", "test", new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, false, true, scores);
    }


    @Override
    public void close() {
        if (gateway != null) gateway.close();
        models.close();
        server.close();
        client.shutdownNow();
    }
}
