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

class GeminiChatModelTest extends ChatModelContract {
    private static final String KEY = "AIza-test-key-123456";

    @Override
    protected ChatModel model(ScriptedModelServer server, Timeouts timeouts) {
        return model(server.baseUrl(), timeouts);
    }

    private static ChatModel model(String baseUrl, Timeouts timeouts) {
        var provider = TestSpecs.provider("gemini", WireProtocol.GEMINI, baseUrl);
        var spec = TestSpecs.model("gemini-model", "gemini");
        return new GeminiChatModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts,
                "gemini/gemini-model"), Optional.of(KEY));
    }

    @Override
    protected String protocol() {
        return "gemini";
    }

    @Test
    void theModelIsInThePathAndTheSystemPromptIsASystemInstruction() {
        server.rule(Rule.text("ok"));
        ChatModel model = model(server, TestSpecs.FAST_TIMEOUTS);
        ChatRequest request = ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("hi"))
                .withMaxOutputTokens(100).withTemperature(0.5).withTools(List.of(writeFileTool()));
        model.chat(request);
        RecordedRequest plain = server.requests().getLast();
        assertThat(plain.path()).isEqualTo("/v1beta/models/gemini-model-wire:generateContent");
        assertThat(plain.query()).isNull();
        assertThat(plain.header("x-goog-api-key")).isEqualTo(KEY);
        JsonNode body = plain.parsed().body();
        assertThat(body.has("model")).isFalse();
        assertThat(body.path("systemInstruction").path("parts").path(0).path("text").asString()).isEqualTo("Be brief.");
        assertThat(body.path("contents").size()).isEqualTo(1);
        assertThat(body.path("contents").path(0).path("role").asString()).isEqualTo("user");
        assertThat(body.path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(100);
        assertThat(body.path("generationConfig").path("temperature").asDouble()).isEqualTo(0.5);
        JsonNode declaration = body.path("tools").path(0).path("functionDeclarations").path(0);
        assertThat(declaration.path("name").asString()).isEqualTo("write_file");
        assertThat(declaration.path("parametersJsonSchema").path("required").size()).isEqualTo(2);

        model.chat(request, new Collector());
        RecordedRequest streamed = server.requests().getLast();
        assertThat(streamed.path()).isEqualTo("/v1beta/models/gemini-model-wire:streamGenerateContent");
        assertThat(streamed.query()).isEqualTo("alt=sse");
    }

    @Test
    void toolCallsGetGeneratedIdsThatAreNotSentBackAndResultsGoByName() {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"a.txt\",\"content\":\"hi\"}")).whenToolResult(false));
        server.rule(Rule.text("Done."));
        ChatModel model = model(server, TestSpecs.FAST_TIMEOUTS);
        ChatRequest first = ChatRequest.of(ChatMessage.user("write")).withTools(List.of(writeFileTool()));
        ToolCall one = model.chat(first).toolCalls().getFirst();
        ToolCall two = model.chat(first, new Collector()).toolCalls().getFirst();
        assertThat(one.id()).startsWith(GeminiChatModel.GENERATED_ID_PREFIX).isNotEqualTo(two.id());

        List<ChatMessage> history = new ArrayList<>(first.messages());
        history.add(new ChatMessage.Assistant("", List.of(one, two)));
        history.add(new ChatMessage.ToolResult(one.id(), "write_file", "ok: 2 bytes written", false));
        history.add(new ChatMessage.ToolResult(two.id(), "write_file", "{\"written\":2}", false));
        history.add(new ChatMessage.ToolResult("call-x", "read_file", "no such file", true));
        ChatResponse done = model.chat(first.withMessages(history));
        assertThat(done.text()).isEqualTo("Done.");
        assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);

        JsonNode contents = server.requests().getLast().parsed().body().path("contents");
        assertThat(contents.size()).isEqualTo(3);
        JsonNode calls = contents.path(1);
        assertThat(calls.path("role").asString()).isEqualTo("model");
        assertThat(calls.path("parts").size()).isEqualTo(2);
        assertThat(calls.path("parts").path(0).path("functionCall").path("args").path("path").asString()).isEqualTo("a.txt");
        assertThat(calls.path("parts").path(0).path("functionCall").has("id")).isFalse();
        JsonNode results = contents.path(2).path("parts");
        assertThat(contents.path(2).path("role").asString()).isEqualTo("user");
        assertThat(results.size()).isEqualTo(3);
        assertThat(results.path(0).path("functionResponse").path("name").asString()).isEqualTo("write_file");
        assertThat(results.path(0).path("functionResponse").has("id")).isFalse();
        assertThat(results.path(0).path("functionResponse").path("response").path("output").asString()).isEqualTo("ok: 2 bytes written");
        assertThat(results.path(1).path("functionResponse").path("response").path("written").asInt()).isEqualTo(2);
        assertThat(results.path(2).path("functionResponse").path("name").asString()).isEqualTo("read_file");
        assertThat(results.path(2).path("functionResponse").path("response").path("error").asString()).isEqualTo("no such file");
        assertThat(results.path(2).path("functionResponse").path("id").asString()).isEqualTo("call-x");
    }

    @Test
    void idsTheServerSentAreKept() {
        String body = """
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc-7","name":"list","args":{}}}]},
                 "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2,
                 "thoughtsTokenCount":3,"cachedContentTokenCount":4,"totalTokenCount":15}}""";
        try (CannedServer canned = CannedServer.start(200, "application/json", body)) {
            ChatResponse response = model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")));
            assertThat(response.toolCalls()).containsExactly(new ToolCall("fc-7", "list", "{}"));
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(response.usage()).isEqualTo(new Usage(10, 5, 4));
        }
    }

    @Test
    void anErrorChunkInTheStreamIsAModelExceptionOfItsKind() {
        String body = """
                data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}]}

                data: {"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}

                """;
        try (CannedServer canned = CannedServer.start(200, "text/event-stream", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.RATE_LIMITED);
            assertThat(e.retryable()).isTrue();
            assertThat(e.partialText()).isEqualTo("Hel");
        }
    }

    @Test
    void aStreamThatEndsWithoutAFinishReasonIsCut() {
        String body = """
                data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}]}

                data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"index":0}]}

                """;
        try (CannedServer canned = CannedServer.start(200, "text/event-stream", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.STREAM_CUT);
            assertThat(e.partialText()).isEqualTo("Hello");
        }
    }

    @Test
    void aWrongKeyIsAnAuthErrorThoughGeminiSays400() {
        String body = """
                {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
                 "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}""";
        try (CannedServer canned = CannedServer.start(400, "application/json", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi"))));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.AUTH);
            assertThat(e.retryable()).isFalse();
            assertThat(e.httpStatus()).isEqualTo(400);
        }
    }

    @Test
    void aBlockedPromptIsAContentFilterAnswer() {
        String body = """
                {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}""";
        try (CannedServer canned = CannedServer.start(200, "application/json", body)) {
            ChatResponse response = model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")));
            assertThat(response.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
            assertThat(response.text()).isEmpty();
            assertThat(response.usage().inputTokens()).isEqualTo(7);
        }
    }
}
