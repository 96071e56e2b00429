package dev.ensemble.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tool choice, JSON mode and stop sequences reach each provider in its own wire's words. */
class ChatOptionsUpstreamTest {
    private static final JsonNode SCHEMA = HttpTransport.JSON.readTree("{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}}");
    private static final ChatRequest REQUEST = ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("hi"))
            .withTools(List.of(new ToolSpec("run", "Runs", HttpTransport.JSON.readTree("{\"type\":\"object\"}"))))
            .withOptions(new ChatOptions(ChatOptions.ToolChoice.tool("run"), ChatOptions.ResponseFormat.schema("verdict", SCHEMA, true),
                    List.of("END")));

    private ScriptedModelServer server;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
        server.rule(Rule.text("{\"ok\":true}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void openAiChat() {
        JsonNode body = send(WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", REQUEST);
        assertThat(body.path("tool_choice").path("function").path("name").asString()).isEqualTo("run");
        assertThat(body.path("response_format").path("type").asString()).isEqualTo("json_schema");
        assertThat(body.path("response_format").path("json_schema").path("name").asString()).isEqualTo("verdict");
        assertThat(body.path("response_format").path("json_schema").path("schema")).isEqualTo(SCHEMA);
        assertThat(body.path("stop").get(0).asString()).isEqualTo("END");
    }

    @Test
    void openAiResponses() {
        JsonNode body = send(WireProtocol.OPENAI_RESPONSES, server.baseUrl() + "/v1", REQUEST);
        assertThat(body.path("tool_choice").path("name").asString()).isEqualTo("run");
        assertThat(body.path("text").path("format").path("type").asString()).isEqualTo("json_schema");
        assertThat(body.path("text").path("format").path("schema")).isEqualTo(SCHEMA);
        assertThat(body.has("stop")).isFalse();
    }

    @Test
    void anthropicAsksForJsonInTheSystemPrompt() {
        JsonNode body = send(WireProtocol.ANTHROPIC, server.baseUrl(), REQUEST);
        assertThat(body.path("tool_choice").path("type").asString()).isEqualTo("tool");
        assertThat(body.path("tool_choice").path("name").asString()).isEqualTo("run");
        assertThat(body.path("stop_sequences").get(0).asString()).isEqualTo("END");
        assertThat(body.path("system").asString()).startsWith("Be brief.").contains("JSON Schema").contains("\"ok\"");
    }

    @Test
    void gemini() {
        JsonNode body = send(WireProtocol.GEMINI, server.baseUrl(), REQUEST);
        JsonNode calling = body.path("toolConfig").path("functionCallingConfig");
        assertThat(calling.path("mode").asString()).isEqualTo("ANY");
        assertThat(calling.path("allowedFunctionNames").get(0).asString()).isEqualTo("run");
        assertThat(body.path("generationConfig").path("stopSequences").get(0).asString()).isEqualTo("END");
        assertThat(body.path("generationConfig").path("responseMimeType").asString()).isEqualTo("application/json");
        assertThat(body.path("generationConfig").path("responseJsonSchema")).isEqualTo(SCHEMA);
    }

    @Test
    void ollamaTakesTheSchemaAsFormatAndDropsToolsForNone() {
        JsonNode body = send(WireProtocol.OLLAMA, server.baseUrl(), REQUEST);
        assertThat(body.path("format")).isEqualTo(SCHEMA);
        assertThat(body.path("options").path("stop").get(0).asString()).isEqualTo("END");
        JsonNode none = send(WireProtocol.OLLAMA, server.baseUrl(),
                REQUEST.withOptions(ChatOptions.NONE.withToolChoice(ChatOptions.ToolChoice.NONE)));
        assertThat(none.has("tools")).isFalse();
        assertThat(none.has("format")).isFalse();
    }

    @Test
    void withoutToolsNoToolChoiceIsSent() {
        JsonNode body = send(WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", REQUEST.withTools(List.of()));
        assertThat(body.has("tool_choice")).isFalse();
    }

    private JsonNode send(WireProtocol wire, String baseUrl, ChatRequest request) {
        var provider = TestSpecs.provider("p-" + wire.key(), wire, baseUrl);
        var spec = TestSpecs.model("m", provider.name());
        var http = new HttpTransport(HttpTransport.newClient(TestSpecs.FAST_TIMEOUTS.connect()), TestSpecs.FAST_TIMEOUTS, "p/m");
        Optional<String> key = Optional.of("k");
        ChatModel model = switch (wire) {
            case OPENAI_CHAT -> new OpenAiChatModel(spec, provider, http, key);
            case OPENAI_RESPONSES -> new OpenAiResponsesModel(spec, provider, http, key);
            case ANTHROPIC -> new AnthropicChatModel(spec, provider, http, key);
            case GEMINI -> new GeminiChatModel(spec, provider, http, key);
            case OLLAMA -> new OllamaChatModel(spec, provider, http, Optional.empty());
        };
        model.chat(request);
        return server.requests().getLast().parsed().body();
    }
}
