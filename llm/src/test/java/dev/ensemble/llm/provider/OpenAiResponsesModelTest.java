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

class OpenAiResponsesModelTest extends ChatModelContract {
    @Override
    protected ChatModel model(ScriptedModelServer server, Timeouts timeouts) {
        return modelAt(server.baseUrl() + "/v1", timeouts);
    }

    private static ChatModel modelAt(String baseUrl, Timeouts timeouts) {
        var provider = TestSpecs.provider("openai", WireProtocol.OPENAI_RESPONSES, baseUrl);
        var spec = TestSpecs.model("responses-model", "openai");
        return new OpenAiResponsesModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts,
                "openai/responses-model"), Optional.of("sk-test-key-123456"));
    }

    @Override
    protected String protocol() {
        return "openai-responses";
    }

    @Test
    void systemTextBecomesInstructionsAndKeyIsBearer() {
        server.rule(Rule.text("ok"));
        model(server, TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("hi"))
                .withMaxOutputTokens(64));
        RecordedRequest seen = server.requests().getLast();
        JsonNode body = HttpTransport.JSON.readTree(seen.body());
        assertThat(seen.path()).isEqualTo("/v1/responses");
        assertThat(seen.header("Authorization")).isEqualTo("Bearer sk-test-key-123456");
        assertThat(body.path("instructions").asString()).isEqualTo("Be brief.");
        assertThat(body.path("input")).hasSize(1);
        assertThat(body.path("input").path(0).path("role").asString()).isEqualTo("user");
        assertThat(body.path("max_output_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("stream").asBoolean(true)).isFalse();
    }

    @Test
    void toolCallsAndResultsAreInputItemsLinkedByCallId() {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"a.txt\",\"content\":\"hi\"}")).whenToolResult(false));
        server.rule(Rule.text("done").whenToolResult(true));
        ChatModel model = model(server, TestSpecs.FAST_TIMEOUTS);
        ChatRequest first = ChatRequest.of(ChatMessage.user("write")).withTools(List.of(writeFileTool()));
        ChatResponse call = model.chat(first, new Collector());
        ToolCall tc = call.toolCalls().getFirst();
        assertThat(tc.id()).startsWith("call_");
        assertThat(HttpTransport.JSON.readTree(tc.argumentsJson()).path("content").asString()).isEqualTo("hi");
        JsonNode tool = HttpTransport.JSON.readTree(server.requests().getLast().body()).path("tools").path(0);
        assertThat(tool.path("type").asString()).isEqualTo("function");
        assertThat(tool.path("name").asString()).isEqualTo("write_file");
        assertThat(tool.path("parameters").path("type").asString()).isEqualTo("object");

        List<ChatMessage> history = new ArrayList<>(first.messages());
        history.add(call.asMessage());
        history.add(new ChatMessage.ToolResult(tc.id(), tc.name(), "written", false));
        model.chat(first.withMessages(history));
        JsonNode input = HttpTransport.JSON.readTree(server.requests().getLast().body()).path("input");
        assertThat(input).hasSize(3);
        assertThat(input.path(1).path("type").asString()).isEqualTo("function_call");
        assertThat(input.path(1).path("call_id").asString()).isEqualTo(tc.id());
        assertThat(input.path(1).path("arguments").asString()).isEqualTo(tc.argumentsJson());
        assertThat(input.path(2).path("type").asString()).isEqualTo("function_call_output");
        assertThat(input.path(2).path("call_id").asString()).isEqualTo(tc.id());
        assertThat(input.path(2).path("output").asString()).isEqualTo("written");
    }

    @Test
    void incompleteForMaxOutputTokensIsLength() {
        String body = """
                {"id":"resp_1","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
                 "output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Half an","annotations":[]}]}],
                 "usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":5,"total_tokens":15}}""";
        try (var canned = new CannedHttpServer("application/json", body)) {
            ChatResponse response = modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")));
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(response.text()).isEqualTo("Half an");
            assertThat(response.usage()).isEqualTo(new Usage(10, 5, 4));
        }
    }

    @Test
    void failedResponseInTheStreamIsAModelException() {
        String body = """
                event: response.created
                data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}

                event: response.failed
                data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"The model crashed"}}}

                """;
        try (var canned = new CannedHttpServer("text/event-stream", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.SERVER_ERROR);
            assertThat(e.getMessage()).contains("The model crashed");
        }
    }

    @Test
    void errorEventForContextLengthIsNotRetryable() {
        String body = """
                event: error
                data: {"type":"error","sequence_number":0,"code":"context_length_exceeded","message":"too long","param":null}

                """;
        try (var canned = new CannedHttpServer("text/event-stream", body)) {
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
            assertThat(e.kind()).isEqualTo(ModelException.Kind.CONTEXT_TOO_LONG);
            assertThat(e.retryable()).isFalse();
        }
    }

    @Test
    void streamOfWholeItemsWithoutDeltasStillGivesTheAnswer() {
        // The minimal stream that drives Codex: no deltas, items only when done, usage at the end.
        String body = """
                event: response.created
                data: {"type":"response.created","response":{"id":"resp_1","status":"in_progress"}}

                event: response.output_item.done
                data: {"type":"response.output_item.done","output_index":0,"item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"All done."}]}}

                event: response.output_item.done
                data: {"type":"response.output_item.done","output_index":1,"item":{"type":"function_call","call_id":"call_9","name":"exec_command","arguments":"{\\"cmd\\":\\"ls\\"}"}}

                event: response.completed
                data: {"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":7,"output_tokens":3,"total_tokens":10}}}

                """;
        try (var canned = new CannedHttpServer("text/event-stream", body)) {
            Collector collector = new Collector();
            ChatResponse response = modelAt(canned.baseUrl(), TestSpecs.FAST_TIMEOUTS).chat(ChatRequest.of(ChatMessage.user("hi")), collector);
            assertThat(response.text()).isEqualTo("All done.");
            assertThat(collector.deltas).containsExactly("All done.");
            assertThat(response.toolCalls()).containsExactly(new ToolCall("call_9", "exec_command", "{\"cmd\":\"ls\"}"));
            assertThat(collector.calls).containsExactlyElementsOf(response.toolCalls());
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(response.usage()).isEqualTo(new Usage(7, 3, 0));
        }
    }
}
