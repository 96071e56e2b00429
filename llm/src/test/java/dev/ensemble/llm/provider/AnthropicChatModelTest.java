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
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AnthropicChatModelTest extends ChatModelContract {
    private static final String KEY = "sk-ant-test-key-123456";

    @Override
    protected ChatModel model(ScriptedModelServer server, Timeouts timeouts) {
        return model(server.baseUrl(), timeouts);
    }

    private static ChatModel model(String baseUrl, Timeouts timeouts) {
        var provider = TestSpecs.provider("anthropic", WireProtocol.ANTHROPIC, baseUrl);
        var spec = TestSpecs.model("claude-model", "anthropic");
        return new AnthropicChatModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts,
                "anthropic/claude-model"), Optional.of(KEY));
    }

    @Override
    protected String protocol() {
        return "anthropic";
    }

    @Test
    void systemPromptIsTopLevelAndTheHeadersAreAnthropics() {
        server.rule(Rule.text("ok"));
        model(server, TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("hi"),
                ChatMessage.system("Answer in English.")).withMaxOutputTokens(100).withTemperature(0.2));
        RecordedRequest seen = server.requests().getLast();
        assertThat(seen.path()).isEqualTo("/v1/messages");
        assertThat(seen.header("x-api-key")).isEqualTo(KEY);
        assertThat(seen.header("authorization")).isNull();
        assertThat(seen.header("anthropic-version")).isEqualTo("2023-06-01");
        JsonNode body = seen.parsed().body();
        assertThat(body.path("system").asString()).isEqualTo("Be brief.\n\nAnswer in English.");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.has("stream")).isFalse();
        assertThat(body.path("messages").size()).isEqualTo(1);
        assertThat(body.path("messages").path(0).path("role").asString()).isEqualTo("user");
        assertThat(body.path("messages").path(0).path("content").path(0).path("text").asString()).isEqualTo("hi");
    }

    @Test
    void maxTokensIsAlwaysSentBecauseTheApiRequiresIt() {
        server.rule(Rule.text("ok"));
        model(server, TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector());
        JsonNode body = server.requests().getLast().parsed().body();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void consecutiveTurnsOfOneRoleAreMergedWithToolResultsFirst() {
        server.rule(Rule.text("done"));
        ToolCall a = new ToolCall("toolu_a", "write_file", "{\"path\":\"a.txt\",\"content\":\"x\"}");
        ToolCall b = new ToolCall("toolu_b", "write_file", "not json");
        ChatRequest request = ChatRequest.of(List.of(ChatMessage.user("write two files"), ChatMessage.user("please"),
                new ChatMessage.Assistant("On it.", List.of(a, b)),
                new ChatMessage.ToolResult("toolu_a", "write_file", "ok", false),
                ChatMessage.user("and then say done"),
                new ChatMessage.ToolResult("toolu_b", "write_file", "disk full", true)));
        model(server, TestSpecs.FAST_TIMEOUTS).chat(request);

        JsonNode messages = server.requests().getLast().parsed().body().path("messages");
        assertThat(messages.size()).isEqualTo(3);
        JsonNode user = messages.path(0);
        assertThat(user.path("role").asString()).isEqualTo("user");
        assertThat(user.path("content").size()).isEqualTo(2);
        JsonNode assistant = messages.path(1).path("content");
        assertThat(messages.path(1).path("role").asString()).isEqualTo("assistant");
        assertThat(assistant.path(0).path("text").asString()).isEqualTo("On it.");
        assertThat(assistant.path(1).path("type").asString()).isEqualTo("tool_use");
        assertThat(assistant.path(1).path("input").path("path").asString()).isEqualTo("a.txt");
        assertThat(assistant.path(2).path("id").asString()).isEqualTo("toolu_b");
        assertThat(assistant.path(2).path("input").isObject()).isTrue();
        JsonNode results = messages.path(2).path("content");
        assertThat(messages.path(2).path("role").asString()).isEqualTo("user");
        assertThat(results.path(0).path("tool_use_id").asString()).isEqualTo("toolu_a");
        assertThat(results.path(0).path("is_error").asBoolean()).isFalse();
        assertThat(results.path(1).path("tool_use_id").asString()).isEqualTo("toolu_b");
        assertThat(results.path(1).path("is_error").asBoolean()).isTrue();
        assertThat(results.path(1).path("content").asString()).isEqualTo("disk full");
        assertThat(results.path(2).path("text").asString()).isEqualTo("and then say done");
    }

    @Test
    void cacheReadsAreAddedBackToTheInputTokensPlainAndStreamed() {
        server.cachedTokens(3);
        server.rule(Rule.text("ok"));
        ChatModel model = model(server, TestSpecs.FAST_TIMEOUTS);
        ChatRequest request = ChatRequest.of(ChatMessage.user("a prompt long enough to have some tokens"));
        Usage plain = model.chat(request).usage();
        Usage streamed = model.chat(request, new Collector()).usage();
        TokenCount served = TokenCount.estimate(server.requests().getLast().parsed().inputText(), "ok", 3);
        assertThat(plain).isEqualTo(new Usage(served.input(), served.output(), 3));
        assertThat(streamed).isEqualTo(plain);
    }

    @Test
    void baseUrlEndingInV1IsNotDoubled() {
        server.rule(Rule.text("ok"));
        ChatResponse response = model(server.baseUrl() + "/v1/", TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")));
        assertThat(response.text()).isEqualTo("ok");
        assertThat(server.requests().getLast().path()).isEqualTo("/v1/messages");
    }

    private static final String STREAM_START = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

            """;

    @Test
    void anErrorEventInTheStreamIsAModelExceptionOfItsKind() {
        String body = STREAM_START + """
                event: error
                data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

                """;
        try (CannedServer canned = CannedServer.start(200, "text/event-stream", body)) {
            Collector collector = new Collector();
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), collector));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.OVERLOADED);
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("Overloaded");
            assertThat(e.partialText()).isEqualTo("Hel");
        }
    }

    @Test
    void aStreamThatEndsWithoutMessageStopIsCut() {
        String body = STREAM_START + """
                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                """;
        try (CannedServer canned = CannedServer.start(200, "text/event-stream", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.STREAM_CUT);
            assertThat(e.partialText()).isEqualTo("Hel");
        }
    }

    @Test
    void aStreamedAnswerWithTextThenTwoToolCallsKeepsThemApart() {
        String body = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":5,"cache_read_input_tokens":2,"cache_creation_input_tokens":1,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Writing."}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"write_file","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"path\\":"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"a.txt\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: content_block_start
                data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"list","input":{}}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":2}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        try (CannedServer canned = CannedServer.start(200, "text/event-stream", body)) {
            Collector collector = new Collector();
            ChatResponse response = model(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), collector);
            assertThat(response.text()).isEqualTo("Writing.");
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(response.toolCalls()).containsExactly(new ToolCall("toolu_1", "write_file", "{\"path\":\"a.txt\"}"),
                    new ToolCall("toolu_2", "list", "{}"));
            assertThat(collector.calls).containsExactlyElementsOf(response.toolCalls());
            assertThat(response.usage()).isEqualTo(new Usage(8, 30, 2));
        }
    }
}
