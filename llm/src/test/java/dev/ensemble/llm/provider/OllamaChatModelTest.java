package dev.ensemble.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.Timeouts;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OllamaChatModelTest extends ChatModelContract {
    @Override
    protected ChatModel model(ScriptedModelServer server, Timeouts timeouts) {
        return modelAt(server.baseUrl(), timeouts);
    }

    private static ChatModel modelAt(String baseUrl, Timeouts timeouts) {
        var provider = TestSpecs.provider("ollama", WireProtocol.OLLAMA, baseUrl);
        var spec = TestSpecs.model("local-model", "ollama");
        return new OllamaChatModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts,
                "ollama/local-model"), Optional.empty());
    }

    @Override
    protected String protocol() {
        return "ollama";
    }

    /** Replaces the contract's check: Ollama reports no prompt-cache count, so cached tokens are 0 whatever the server did. */
    @Override
    @Test
    void cachedInputTokensAreReported() {
        server.cachedTokens(3);
        server.rule(Rule.text("ok"));
        ChatResponse response = model(server, TestSpecs.FAST_TIMEOUTS)
                .chat(ChatRequest.of(ChatMessage.user("a prompt long enough to have some tokens")));
        assertThat(response.usage().cachedInputTokens()).isZero();
        assertThat(response.usage().inputTokens()).isPositive();
    }

    @Test
    void requestIsExplicitAboutStreamingAndSendsOptionsWithoutKey() {
        server.rule(Rule.text("ok"));
        model(server, TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")).withMaxOutputTokens(50).withTemperature(0.2));
        RecordedRequest seen = server.requests().getLast();
        JsonNode body = HttpTransport.JSON.readTree(seen.body());
        assertThat(seen.path()).isEqualTo("/api/chat");
        assertThat(body.path("stream").isBoolean()).isTrue();
        assertThat(body.path("stream").asBoolean()).isFalse();
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(50);
        assertThat(body.path("options").path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(seen.header("Authorization")).isNull();
    }

    @Test
    void toolArgumentsTravelAsObjectsAndResultsByToolName() {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"a.txt\",\"content\":\"hi\"}")).whenToolResult(false));
        server.rule(Rule.text("done").whenToolResult(true));
        ChatModel model = model(server, TestSpecs.FAST_TIMEOUTS);
        ChatRequest first = ChatRequest.of(ChatMessage.user("write")).withTools(List.of(writeFileTool()));
        ChatResponse call = model.chat(first);
        ToolCall tc = call.toolCalls().getFirst();
        assertThat(tc.id()).isEqualTo("call_0");
        assertThat(HttpTransport.JSON.readTree(tc.argumentsJson()).path("content").asString()).isEqualTo("hi");

        List<ChatMessage> history = new ArrayList<>(first.messages());
        history.add(call.asMessage());
        history.add(new ChatMessage.ToolResult(tc.id(), tc.name(), "written", false));
        model.chat(first.withMessages(history));
        JsonNode messages = HttpTransport.JSON.readTree(server.requests().getLast().body()).path("messages");
        JsonNode sentCall = messages.path(1).path("tool_calls").path(0).path("function");
        assertThat(sentCall.path("name").asString()).isEqualTo("write_file");
        assertThat(sentCall.path("arguments").isObject()).isTrue();
        assertThat(sentCall.path("arguments").path("path").asString()).isEqualTo("a.txt");
        assertThat(messages.path(2).path("role").asString()).isEqualTo("tool");
        assertThat(messages.path(2).path("tool_name").asString()).isEqualTo("write_file");
        assertThat(messages.path(2).path("content").asString()).isEqualTo("written");
        JsonNode tool = HttpTransport.JSON.readTree(server.requests().getLast().body()).path("tools").path(0);
        assertThat(tool.path("type").asString()).isEqualTo("function");
        assertThat(tool.path("function").path("parameters").path("type").asString()).isEqualTo("object");
    }

    @Test
    void configuredKeyIsSentAsBearer() {
        server.rule(Rule.text("ok"));
        var provider = TestSpecs.provider("ollama", WireProtocol.OLLAMA, server.baseUrl() + "/");
        var model = new OllamaChatModel(TestSpecs.model("local-model", "ollama"), provider,
                new HttpTransport(HttpTransport.newClient(TestSpecs.FAST_TIMEOUTS.connect()), TestSpecs.FAST_TIMEOUTS, "ollama/local-model"),
                Optional.of("ollama-proxy-key"));
        model.chat(ChatRequest.of(ChatMessage.user("hi")));
        assertThat(server.requests().getLast().header("Authorization")).isEqualTo("Bearer ollama-proxy-key");
        assertThat(server.requests().getLast().path()).isEqualTo("/api/chat");
    }

    @Test
    void lengthStopIsLength() {
        String body = """
                {"model":"local-model-wire","created_at":"2026-11-01T00:00:00Z","message":{"role":"assistant","content":"Half"},
                 "done":true,"done_reason":"length","prompt_eval_count":9,"eval_count":4}""";
        try (var canned = new CannedHttpServer("application/json", body)) {
            ChatResponse response = modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")));
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(response.usage()).isEqualTo(new Usage(9, 4, 0));
        }
    }

    @Test
    void errorLineInTheStreamIsAModelExceptionWithThePartialText() {
        String body = """
                {"model":"m","created_at":"2026-11-01T00:00:00Z","message":{"role":"assistant","content":"Some"},"done":false}
                {"error":"model runner has unexpectedly stopped"}
                """;
        try (var canned = new CannedHttpServer("application/x-ndjson", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.SERVER_ERROR);
            assertThat(e.getMessage()).contains("unexpectedly stopped");
            assertThat(e.partialText()).isEqualTo("Some");
        }
    }

    @Test
    void severalToolCallsInOneStreamGetDistinctIds() {
        String body = """
                {"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"a","arguments":{"x":1}}}]},"done":false}
                {"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"b","arguments":{}}}]},"done":false}
                {"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":3}
                """;
        try (var canned = new CannedHttpServer("application/x-ndjson", body)) {
            Collector collector = new Collector();
            ChatResponse response = modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), collector);
            assertThat(response.toolCalls()).extracting(ToolCall::id).containsExactly("call_0", "call_1");
            assertThat(response.toolCalls()).extracting(ToolCall::argumentsJson).containsExactly("{\"x\":1}", "{}");
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(collector.calls).containsExactlyElementsOf(response.toolCalls());
        }
    }
}
