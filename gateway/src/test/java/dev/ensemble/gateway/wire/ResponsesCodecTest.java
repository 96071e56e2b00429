package dev.ensemble.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ResponsesCodecTest {
    private final ResponsesCodec codec = new ResponsesCodec();

    /** A turn as Codex sends it (store:false, the whole conversation, reasoning items, a hosted tool). */
    private static final String CODEX_TURN = """
            {"model":"gpt-5-codex","instructions":"You are Codex.",
             "input":[
               {"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>cwd</environment_context>"}]},
               {"type":"message","role":"user","content":[{"type":"input_text","text":"fix the bug"}]},
               {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAA"},
               {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Looking."}]},
               {"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"ls\\"]}","call_id":"call_1"},
               {"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"pwd\\"]}","call_id":"call_2"},
               {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
               {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"/repo"}]}],
             "tools":[{"type":"function","name":"shell","description":"Runs a command","strict":false,
                       "parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},
                                     "required":["command"],"additionalProperties":false}},
                      {"type":"web_search"}],
             "tool_choice":"required","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},
             "store":false,"stream":true,"include":["reasoning.encrypted_content"],"prompt_cache_key":"k",
             "text":{"verbosity":"low","format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},
             "max_output_tokens":2000}
            """;

    @Test
    void decodesACodexTurn() {
        GatewayRequest request = codec.decode(CODEX_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        assertThat(request.model()).isEqualTo("gpt-5-codex");
        assertThat(request.stream()).isTrue();
        assertThat(request.chat().messages()).containsExactly(
                new ChatMessage.System("You are Codex."),
                new ChatMessage.User("<environment_context>cwd</environment_context>"),
                new ChatMessage.User("fix the bug"),
                new ChatMessage.Assistant("Looking.", List.of(new ToolCall("call_1", "shell", "{\"command\":[\"ls\"]}"),
                        new ToolCall("call_2", "shell", "{\"command\":[\"pwd\"]}"))),
                new ChatMessage.ToolResult("call_1", "shell", "a.txt", false),
                new ChatMessage.ToolResult("call_2", "shell", "/repo", false));
        assertThat(request.chat().tools()).extracting(ToolSpec::name).containsExactly("shell");
        assertThat(request.chat().options().toolChoice()).isEqualTo(ChatOptions.ToolChoice.REQUIRED);
        assertThat(request.chat().options().responseFormat().name()).isEqualTo("out");
        assertThat(request.chat().maxOutputTokens()).isEqualTo(2000);
    }

    @Test
    void aStringInputIsOneUserMessage() {
        GatewayRequest request = codec.decode("{\"model\":\"m\",\"input\":\"hello\"}".getBytes(StandardCharsets.UTF_8), "", false);
        assertThat(request.chat().messages()).containsExactly(new ChatMessage.User("hello"));
        assertThat(request.stream()).isFalse();
    }

    @Test
    void aCodexTurnReachesAGeminiTargetWithItsOptions() {
        GatewayRequest request = codec.decode(CODEX_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        String sent = Clients.sentBody(WireProtocol.GEMINI, request.chat(), new GeminiCodec().encode(Answers.text("{}", Usage.ZERO), "m"));
        JsonNode body = HttpTransport.JSON.readTree(sent);
        assertThat(body.path("toolConfig").path("functionCallingConfig").path("mode").asString()).isEqualTo("ANY");
        assertThat(body.path("generationConfig").path("responseMimeType").asString()).isEqualTo("application/json");
        assertThat(body.path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(2000);
        assertThat(body.path("contents").get(1).path("parts").get(1).path("functionCall").path("name").asString()).isEqualTo("shell");
    }

    @Test
    void aPlainAnswerIsReadByARealResponsesClient() {
        ChatResponse answer = Answers.toolCall("Let me run it.", new ToolCall("call_7", "shell", "{\"command\":[\"make\"]}"),
                new Usage(900, 60, 512));
        byte[] bytes = codec.encode(answer, "gpt-5-codex");
        JsonNode body = HttpTransport.JSON.readTree(bytes);
        assertThat(body.path("object").asString()).isEqualTo("response");
        assertThat(body.path("status").asString()).isEqualTo("completed");
        assertThat(body.path("output").get(0).path("type").asString()).isEqualTo("message");
        assertThat(body.path("output").get(1).path("call_id").asString()).isEqualTo("call_7");
        assertThat(body.path("usage").path("input_tokens_details").path("cached_tokens").asLong()).isEqualTo(512);

        ChatResponse read = Clients.readPlain(WireProtocol.OPENAI_RESPONSES, bytes);
        assertThat(read.text()).isEqualTo("Let me run it.");
        assertThat(read.toolCalls()).containsExactly(new ToolCall("call_7", "shell", "{\"command\":[\"make\"]}"));
        assertThat(read.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.usage()).isEqualTo(new Usage(900, 60, 512));
    }

    @Test
    void aCutShortAnswerIsIncomplete() {
        ChatResponse answer = new ChatResponse("and th", List.of(), FinishReason.LENGTH, new Usage(5, 5, 0), "m", null, null, List.of());
        assertThat(Clients.readPlain(WireProtocol.OPENAI_RESPONSES, codec.encode(answer, "m")).finishReason())
                .isEqualTo(FinishReason.LENGTH);
        String events = Answers.stream(codec.streamEncoder(request()), answer, "and th");
        assertThat(events).contains("event: response.incomplete\n");
        assertThat(Clients.readStream(WireProtocol.OPENAI_RESPONSES, events).response().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aStreamHasItsEventsInOrderAndIsReadByARealClient() {
        ToolCall call = new ToolCall("call_s", "shell", "{\"command\":[\"ls\"]}");
        ChatResponse answer = Answers.toolCall("Listing.", call, new Usage(300, 12, 100));
        String events = Answers.stream(codec.streamEncoder(request()), answer, "List", "ing.");
        List<String> types = new ArrayList<>();
        List<Integer> sequence = new ArrayList<>();
        for (String frame : events.split("\n\n")) {
            JsonNode data = HttpTransport.JSON.readTree(frame.substring(frame.indexOf("data: ") + 6));
            types.add(data.path("type").asString());
            sequence.add(data.path("sequence_number").asInt());
            assertThat(frame).startsWith("event: " + data.path("type").asString() + "\n");
        }
        assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed");
        assertThat(sequence).isSorted().doesNotHaveDuplicates();

        Clients.Streamed read = Clients.readStream(WireProtocol.OPENAI_RESPONSES, events);
        assertThat(read.deltas()).containsExactly("List", "ing.");
        assertThat(read.calls()).containsExactly(call);
        assertThat(read.response().usage()).isEqualTo(new Usage(300, 12, 100));
        assertThat(read.response().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void aMidStreamFailureIsAnErrorEventTheClientRaises() {
        StreamEncoder encoder = codec.streamEncoder(request());
        String events = encoder.start() + encoder.text("par") + encoder.error(429, "rate limited upstream");
        assertThat(events).contains("event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\"");
        ModelException thrown = catchThrowableOfType(ModelException.class, () -> Clients.readStream(WireProtocol.OPENAI_RESPONSES, events));
        assertThat(thrown.kind()).isEqualTo(ModelException.Kind.RATE_LIMITED);
    }

    private static final String CUSTOM_TOOL_TURN = """
            {"model":"claude-sonnet","stream":true,"input":[
               {"type":"message","role":"user","content":"add a line"},
               {"type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":"*** Begin Patch\\n*** End Patch"},
               {"type":"custom_tool_call_output","call_id":"call_p","output":"Done!"}],
             "tools":[{"type":"custom","name":"apply_patch","description":"Edits files",
                       "format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch"}}]}
            """;

    @Test
    void codexsCustomToolIsAFunctionOfOneStringElsewhereAndAnsweredInKind() {
        GatewayRequest request = codec.decode(CUSTOM_TOOL_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        ToolSpec tool = request.chat().tools().getFirst();
        assertThat(tool.name()).isEqualTo("apply_patch");
        assertThat(tool.description()).contains("Edits files").contains("lark").contains("start: begin_patch");
        assertThat(tool.parameters().path("required").get(0).asString()).isEqualTo("input");
        assertThat(request.chat().messages()).containsExactly(
                new ChatMessage.User("add a line"),
                new ChatMessage.Assistant("", List.of(new ToolCall("call_p", "apply_patch",
                        "{\"input\":\"*** Begin Patch\\n*** End Patch\"}"))),
                new ChatMessage.ToolResult("call_p", "apply_patch", "Done!", false));

        ToolCall call = new ToolCall("toolu_9", "apply_patch", "{\"input\":\"*** Begin Patch\\n*** End Patch\"}");
        JsonNode plain = HttpTransport.JSON.readTree(codec.encode(Answers.toolCall("", call, Usage.ZERO), request));
        JsonNode item = plain.path("output").get(0);
        assertThat(item.path("type").asString()).isEqualTo("custom_tool_call");
        assertThat(item.path("call_id").asString()).isEqualTo("toolu_9");
        assertThat(item.path("input").asString()).isEqualTo("*** Begin Patch\n*** End Patch");

        String events = Answers.stream(codec.streamEncoder(request), Answers.toolCall("", call, Usage.ZERO));
        assertThat(events).contains("event: response.custom_tool_call_input.delta\n")
                .contains("\"type\":\"custom_tool_call\"").doesNotContain("function_call");
    }

    @Test
    void badRequestsNameTheField() {
        assertThat(field("{\"model\":\"m\"}")).isEqualTo("input");
        assertThat(field("{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}")).isEqualTo("previous_response_id");
        assertThat(field("{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"x\"}]}"))
                .isEqualTo("input[0].call_id");
        assertThat(field("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\"}]}]}"))
                .isEqualTo("input[0].content[0].text");
        assertThat(field("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}")).isEqualTo("input[0].type");
        assertThat(field("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"yaml\"}}}")).isEqualTo("text.format.type");
    }

    private GatewayRequest request() {
        return codec.decode("{\"model\":\"m\",\"input\":\"hi\",\"stream\":true}".getBytes(StandardCharsets.UTF_8), "", false);
    }

    private String field(String body) {
        return catchThrowableOfType(BadRequest.class, () -> codec.decode(body.getBytes(StandardCharsets.UTF_8), "", false)).field();
    }
}
