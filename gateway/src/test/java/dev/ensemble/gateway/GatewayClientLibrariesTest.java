package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreakerRegistry;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official {@code openai} and {@code @anthropic-ai/sdk} client libraries (installed from npm by
 * .ci/install-gateway-clients.sh; the slow profile's CI installs them, so a missing one fails here
 * rather than skipping) pointed at a real gateway whose models the scripted server plays over
 * another wire than the client's — OpenAI client on an Anthropic-wire model, Anthropic client on a
 * Gemini-wire model, Responses on an Ollama-wire model — and once each over the client's own wire
 * (the byte-for-byte path). Each client's view (text, tool calls, finish reason, usage, the
 * {@code x-ensemble-model} header) is printed by gateway/src/test/node/clients.mjs and checked
 * against what the scripted upstream answered.
 */
@Tag("slow")
@Timeout(300)
class GatewayClientLibrariesTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String CLIENT_KEY = "client-side-key-0c9d";
    private static final String WEATHER_ARGS = "{\"city\":\"Paris\",\"unit\":\"celsius\"}";
    private static final Path DRIVER = Path.of("src/test/node/clients.mjs").toAbsolutePath();

    private static ScriptedModelServer server;
    private static ChatModels models;
    private static GatewayServer gateway;
    private static Path nodeModules;

    @BeforeAll
    static void start() {
        nodeModules = installedClients();
        server = ScriptedModelServer.start();
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        providers.put("oa", provider("oa", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", "env:OA_KEY"));
        providers.put("rs", provider("rs", WireProtocol.OPENAI_RESPONSES, server.baseUrl() + "/v1", "env:OA_KEY"));
        providers.put("an", provider("an", WireProtocol.ANTHROPIC, server.baseUrl(), "env:AN_KEY"));
        providers.put("ge", provider("ge", WireProtocol.GEMINI, server.baseUrl(), "env:GE_KEY"));
        providers.put("ol", new ProviderSpec("ol", WireProtocol.OLLAMA, server.baseUrl(), Optional.empty(), true));
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        for (String[] m : new String[][] {{"gpt-a", "oa"}, {"resp-a", "rs"}, {"claude-a", "an"}, {"gemini-a", "ge"}, {"llama-a", "ol"}}) {
            specs.put(m[0], model(m[0], m[1]));
        }
        Catalog catalog = new Catalog(providers, specs, Map.of());
        RetrySettings once = new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0, Duration.ofSeconds(5));
        models = new ChatModels(catalog, GatewayFixture.TIMEOUTS, once, new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                GatewayFixture.secrets(), dev.ensemble.llm.CallObserver.NONE, dev.ensemble.llm.Sleeper.REAL,
                RandomGenerator.getDefault(), Optional.empty(), false);
        gateway = GatewayServer.start(GatewayOptions.loopback(models, GatewayFixture.secrets(), GatewayFixture.TIMEOUTS,
                dev.ensemble.gateway.wire.WireCodecs.all()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (models != null) models.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void reset() {
        server.clearRules();
        server.clearRequests();
        server.rule(Rule.answer(Reply.toolCall("get_weather", WEATHER_ARGS)).whenTools(true));
        server.rule(Rule.text("Hello there, from the scripted model!"));
    }

    // --- OpenAI Chat Completions client -----------------------------------------------------

    @Test
    void openAiChatOnAnAnthropicModel() throws Exception {
        JsonNode seen = client("openai-chat", "claude-a");
        RecordedRequest sent = onlyCall("/v1/messages", "claude-a-wire");
        assertThat(sent.body()).contains("\"system\"", "Be brief.");
        assertText(seen, "stop");
        assertThat(seen.path("model").asString()).isEqualTo("claude-a");
        assertOpenAiUsage(seen.path("usage"), sent, "Hello there, from the scripted model!");
    }

    @Test
    void openAiChatStreamedToolCallOnAnAnthropicModel() throws Exception {
        JsonNode seen = client("openai-chat-stream-tool", "claude-a");
        RecordedRequest sent = onlyCall("/v1/messages", "claude-a-wire");
        assertThat(sent.body()).contains("input_schema", "get_weather");
        assertToolCall(seen, "tool_calls");
        assertThat(seen.path("model").asString()).isEqualTo("claude-a");
        assertOpenAiUsage(seen.path("usage"), sent, "get_weather" + WEATHER_ARGS);
    }

    @Test
    void openAiChatOnItsOwnWire() throws Exception {
        JsonNode seen = client("openai-chat", "gpt-a");
        RecordedRequest sent = onlyCall("/v1/chat/completions", "gpt-a-wire");
        assertText(seen, "stop");
        assertThat(seen.path("model").asString()).isEqualTo("gpt-a");
        assertOpenAiUsage(seen.path("usage"), sent, "Hello there, from the scripted model!");

        JsonNode streamed = client("openai-chat-stream-tool", "gpt-a");
        RecordedRequest streamedSent = onlyCall("/v1/chat/completions", "gpt-a-wire");
        assertToolCall(streamed, "tool_calls");
        assertThat(streamed.path("model").asString()).isEqualTo("gpt-a");
        assertOpenAiUsage(streamed.path("usage"), streamedSent, "get_weather" + WEATHER_ARGS);
    }

    // --- OpenAI Responses client ------------------------------------------------------------

    @Test
    void responsesStreamedToolCallOnAnOllamaModel() throws Exception {
        JsonNode seen = client("openai-responses-stream", "llama-a");
        RecordedRequest sent = onlyCall("/api/chat", "llama-a-wire");
        assertThat(sent.body()).contains("get_weather");
        assertToolCall(seen, "completed");
        assertResponsesUsage(seen.path("usage"), sent, "get_weather" + WEATHER_ARGS);
    }

    @Test
    void responsesStreamedOnItsOwnWire() throws Exception {
        JsonNode seen = client("openai-responses-stream", "resp-a");
        RecordedRequest sent = onlyCall("/v1/responses", "resp-a-wire");
        assertToolCall(seen, "completed");
        assertResponsesUsage(seen.path("usage"), sent, "get_weather" + WEATHER_ARGS);
    }

    // --- Anthropic Messages client ----------------------------------------------------------

    @Test
    void anthropicMessagesOnAGeminiModel() throws Exception {
        JsonNode seen = client("anthropic", "gemini-a");
        RecordedRequest sent = onlyCall(":generateContent", "gemini-a-wire");
        assertThat(sent.body()).contains("systemInstruction", "Be brief.");
        assertText(seen, "end_turn");
        assertThat(seen.path("model").asString()).isEqualTo("gemini-a");
        assertAnthropicUsage(seen.path("usage"), sent, "Hello there, from the scripted model!");
    }

    @Test
    void anthropicStreamedToolUseOnAGeminiModel() throws Exception {
        JsonNode seen = client("anthropic-stream-tool", "gemini-a");
        RecordedRequest sent = onlyCall(":streamGenerateContent", "gemini-a-wire");
        assertThat(sent.body()).contains("functionDeclarations", "get_weather");
        assertToolCall(seen, "tool_use");
        assertAnthropicUsage(seen.path("usage"), sent, "get_weather" + WEATHER_ARGS);
    }

    @Test
    void anthropicOnItsOwnWire() throws Exception {
        JsonNode seen = client("anthropic", "claude-a");
        RecordedRequest sent = onlyCall("/v1/messages", "claude-a-wire");
        assertText(seen, "end_turn");
        assertThat(seen.path("model").asString()).isEqualTo("claude-a");
        assertAnthropicUsage(seen.path("usage"), sent, "Hello there, from the scripted model!");

        JsonNode streamed = client("anthropic-stream-tool", "claude-a");
        RecordedRequest streamedSent = onlyCall("/v1/messages", "claude-a-wire");
        assertToolCall(streamed, "tool_use");
        assertAnthropicUsage(streamed.path("usage"), streamedSent, "get_weather" + WEATHER_ARGS);
    }

    // --- helpers ----------------------------------------------------------------------------

    private static void assertText(JsonNode seen, String finish) {
        assertThat(seen.path("text").asString()).isEqualTo("Hello there, from the scripted model!");
        assertThat(seen.path("finish").asString()).isEqualTo(finish);
    }

    private static void assertToolCall(JsonNode seen, String finish) {
        assertThat(seen.path("finish").asString()).isEqualTo(finish);
        assertThat(seen.path("text").asString()).isEmpty();
        JsonNode calls = seen.path("toolCalls");
        assertThat(calls.size()).as("tool calls in %s", seen).isEqualTo(1);
        assertThat(calls.get(0).path("name").asString()).isEqualTo("get_weather");
        assertThat(calls.get(0).path("id").asString()).as("a call id the client can answer with").isNotBlank();
        assertThat(JSON.readTree(calls.get(0).path("arguments").asString())).isEqualTo(JSON.readTree(WEATHER_ARGS));
    }

    /** The upstream's count (the scripted server's quarter-of-the-characters estimate), in OpenAI Chat's names. */
    private static void assertOpenAiUsage(JsonNode usage, RecordedRequest sent, String output) {
        TokenCount expected = TokenCount.estimate(sent.parsed().inputText(), output, 0);
        assertThat(usage.path("prompt_tokens").asInt()).as("prompt_tokens in %s", usage).isEqualTo(expected.input());
        assertThat(usage.path("completion_tokens").asInt()).as("completion_tokens in %s", usage).isEqualTo(expected.output());
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(expected.input() + expected.output());
    }

    private static void assertResponsesUsage(JsonNode usage, RecordedRequest sent, String output) {
        TokenCount expected = TokenCount.estimate(sent.parsed().inputText(), output, 0);
        assertThat(usage.path("input_tokens").asInt()).as("input_tokens in %s", usage).isEqualTo(expected.input());
        assertThat(usage.path("output_tokens").asInt()).as("output_tokens in %s", usage).isEqualTo(expected.output());
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(expected.input() + expected.output());
    }

    private static void assertAnthropicUsage(JsonNode usage, RecordedRequest sent, String output) {
        TokenCount expected = TokenCount.estimate(sent.parsed().inputText(), output, 0);
        assertThat(usage.path("input_tokens").asInt()).as("input_tokens in %s", usage).isEqualTo(expected.input());
        assertThat(usage.path("output_tokens").asInt()).as("output_tokens in %s", usage).isEqualTo(expected.output());
    }

    /** The one model call the client's request made upstream, at a path of the model's wire; the log is cleared after. */
    private static RecordedRequest onlyCall(String pathPart, String wireModel) {
        List<RecordedRequest> calls = server.modelCalls();
        assertThat(calls).as("upstream calls").hasSize(1);
        RecordedRequest sent = calls.getFirst();
        assertThat(sent.path()).contains(pathPart);
        assertThat(sent.model()).isEqualTo(wireModel);
        assertThat(sent.body()).doesNotContain(CLIENT_KEY);
        server.clearRequests();
        return sent;
    }

    /** Runs one scenario of the node driver and returns what the client saw (ok: true asserted). */
    private static JsonNode client(String scenario, String model) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("node", DRIVER.toString(), scenario, gateway.baseUrl(), CLIENT_KEY, model)
                .redirectErrorStream(false);
        builder.environment().put("NODE_PATH", nodeModules.toString());
        // The SDKs read these when present; this machine's must not steer the clients elsewhere.
        for (String name : List.of("OPENAI_BASE_URL", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY",
                "ANTHROPIC_AUTH_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            builder.environment().remove(name);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(stdout, StandardCharsets.UTF_8).strip();
        String last = out.lines().reduce((a, b) -> b).orElse("");
        assertThat(last).as("%s on %s printed nothing; stderr: %s", scenario, model, stderr).startsWith("{");
        JsonNode seen = JSON.readTree(last);
        assertThat(seen.path("ok").asBoolean()).as("%s on %s: %s %s", scenario, model, last, stderr).isTrue();
        return seen;
    }

    /** The install's node_modules, failing with the install command when node or a client library is missing. */
    private static Path installedClients() {
        String cache = System.getenv("ENSEMBLE_GATEWAY_CLIENTS_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "ensemble", "gateway-clients");
        Path modules = root.resolve("node_modules");
        String install = "run .ci/install-gateway-clients.sh (needs node and npm)";
        assertThat(onPath("node")).as("node is not installed: " + install).isTrue();
        for (String library : List.of("openai", "@anthropic-ai/sdk")) {
            assertThat(modules.resolve(library).resolve("package.json"))
                    .as(library + " is not installed in " + modules + ": " + install).exists();
        }
        return modules;
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    private static ProviderSpec provider(String name, WireProtocol wire, String baseUrl, String key) {
        return new ProviderSpec(name, wire, baseUrl, Optional.of(SecretRef.parse(key)), false);
    }

    private static ModelSpec model(String id, String provider) {
        Map<TaskKind, Capability> scores = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) scores.put(kind, new Capability(6.0, "test"));
        return new ModelSpec(id, provider, id + "-wire", "test", new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, false, true, scores);
    }
}
