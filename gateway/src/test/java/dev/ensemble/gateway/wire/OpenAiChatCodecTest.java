package dev.ensemble.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenAiChatCodecTest {
    private final OpenAiChatCodec codec = new OpenAiChatCodec();

    /** A second turn as the openai SDK sends it after running a tool the model asked for. */
    private static final String TOOL_TURN = """
            {"model":"auto","messages":[
              {"role":"developer","content":"You are a coding agent."},
              {"role":"system","content":[{"type":"text","text":"Work in /repo."}]},
              {"role":"user","content":[{"type":"text","text":"Read the file"},{"type":"image_url","image_url":{"url":"data:,"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"read_file","arguments":"{\\"path\\":\\"a.txt\\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"hello"}],
             "tools":[{"type":"function","function":{"name":"read_file","description":"Reads a file",
                 "parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},"strict":true}}],
             "tool_choice":{"type":"function","function":{"name":"read_file"}},
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},
             "stop":["END"],"max_completion_tokens":300,"temperature":0.2,
             "stream":true,"stream_options":{"include_usage":true},"user":null,"n":1}
            """;

    @Test
    void decodesAToolTurnAsTheSdkSendsIt() {
        GatewayRequest request = codec.decode(TOOL_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        assertThat(request.model()).isEqualTo("auto");
        assertThat(request.stream()).isTrue();
        assertThat(request.includeUsage()).isTrue();
        assertThat(request.chat().messages()).containsExactly(
                new ChatMessage.System("You are a coding agent."),
                new ChatMessage.System("Work in /repo."),
                new ChatMessage.User("Read the file\n[image omitted: the gateway carries text only]"),
                new ChatMessage.Assistant("", java.util.List.of(new ToolCall("call_1", "read_file", "{\"path\":\"a.txt\"}"))),
                new ChatMessage.ToolResult("call_1", "read_file", "hello", false));
        assertThat(request.chat().tools()).singleElement().satisfies(tool -> {
            assertThat(tool.name()).isEqualTo("read_file");
            assertThat(tool.parameters().path("required").get(0).asString()).isEqualTo("path");
        });
        ChatOptions options = request.chat().options();
        assertThat(options.toolChoice()).isEqualTo(ChatOptions.ToolChoice.tool("read_file"));
        assertThat(options.responseFormat().name()).isEqualTo("answer");
        assertThat(options.responseFormat().strict()).isTrue();
        assertThat(options.stop()).containsExactly("END");
        assertThat(request.chat().maxOutputTokens()).isEqualTo(300);
        assertThat(request.chat().temperature()).isEqualTo(0.2);
    }

    @Test
    void theOptionsReachAnAnthropicTargetInItsOwnWire() throws Exception {
        GatewayRequest request = codec.decode(TOOL_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        ChatResponse answer = Answers.text("{}", new Usage(1, 1, 0));
        String sent = Clients.sentBody(WireProtocol.ANTHROPIC, request.chat(), new AnthropicCodec().encode(answer, "m"));
        JsonNode body = HttpTransport.JSON.readTree(sent);
        assertThat(body.path("tool_choice").path("type").asString()).isEqualTo("tool");
        assertThat(body.path("tool_choice").path("name").asString()).isEqualTo("read_file");
        assertThat(body.path("stop_sequences").get(0).asString()).isEqualTo("END");
        assertThat(body.path("system").asString()).contains("You are a coding agent.").contains("JSON Schema");
        assertThat(body.path("tools").get(0).path("input_schema").path("required").get(0).asString()).isEqualTo("path");
        JsonNode result = body.path("messages").get(2).path("content").get(0);
        assertThat(result.path("type").asString()).isEqualTo("tool_result");
        assertThat(result.path("tool_use_id").asString()).isEqualTo("call_1");
    }

    @Test
    void aPlainAnswerIsReadByARealChatCompletionsClient() {
        ChatResponse answer = Answers.toolCall("Reading it.", new ToolCall("call_9", "read_file", "{\"path\":\"b\"}"),
                new Usage(120, 30, 100));
        byte[] bytes = codec.encode(answer, "auto");
        JsonNode body = HttpTransport.JSON.readTree(bytes);
        assertThat(body.path("object").asString()).isEqualTo("chat.completion");
        assertThat(body.path("id").asString()).startsWith("chatcmpl-");
        assertThat(body.path("model").asString()).isEqualTo("auto");
        assertThat(body.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(body.path("usage").path("total_tokens").asLong()).isEqualTo(150);

        ChatResponse read = Clients.readPlain(WireProtocol.OPENAI_CHAT, bytes);
        assertThat(read.text()).isEqualTo("Reading it.");
        assertThat(read.toolCalls()).containsExactly(new ToolCall("call_9", "read_file", "{\"path\":\"b\"}"));
        assertThat(read.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.usage()).isEqualTo(new Usage(120, 30, 100));
    }

    @Test
    void aStreamWithTextAndToolCallsIsReadByARealClient() {
        GatewayRequest request = codec.decode(TOOL_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        ChatResponse answer = new ChatResponse("Two calls.", java.util.List.of(new ToolCall("call_a", "read_file", "{\"path\":\"a\"}"),
                new ToolCall("call_b", "read_file", "{\"path\":\"b\"}")), FinishReason.TOOL_CALLS, new Usage(50, 7, 10),
                "served", null, null, java.util.List.of());
        String events = Answers.stream(codec.streamEncoder(request), answer, "Two ", "calls.");
        assertThat(events).startsWith("data: {").endsWith("data: [DONE]\n\n").contains("\"index\":1");

        Clients.Streamed read = Clients.readStream(WireProtocol.OPENAI_CHAT, events);
        assertThat(read.deltas()).containsExactly("Two ", "calls.");
        assertThat(read.calls()).containsExactly(new ToolCall("call_a", "read_file", "{\"path\":\"a\"}"),
                new ToolCall("call_b", "read_file", "{\"path\":\"b\"}"));
        assertThat(read.response().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.response().usage()).isEqualTo(new Usage(50, 7, 10));
    }

    @Test
    void withoutIncludeUsageTheStreamHasNoUsageChunk() {
        GatewayRequest request = codec.decode("""
                {"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}""".getBytes(StandardCharsets.UTF_8), "", false);
        String events = Answers.stream(codec.streamEncoder(request), Answers.text("hi", new Usage(3, 1, 0)), "hi");
        assertThat(events).doesNotContain("usage").contains("\"finish_reason\":\"stop\"");
    }

    @Test
    void aMidStreamFailureIsAnErrorChunkTheClientRaises() {
        GatewayRequest request = codec.decode("""
                {"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}""".getBytes(StandardCharsets.UTF_8), "", false);
        StreamEncoder encoder = codec.streamEncoder(request);
        String events = encoder.start() + encoder.text("par") + encoder.error(502, "upstream cut the stream");
        Throwable thrown = catchThrowableOfType(dev.ensemble.llm.ModelException.class,
                () -> Clients.readStream(WireProtocol.OPENAI_CHAT, events));
        assertThat(thrown).hasMessageContaining("upstream cut the stream");
    }

    @Test
    void badRequestsNameTheField() {
        assertThat(field("{\"model\":\"m\"}")).isEqualTo("messages");
        assertThat(field("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).isEqualTo("model");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"user\",\"content\":5}]}"))
                .isEqualTo("messages[1].content");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}")).isEqualTo("messages[0].role");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"x\"}]}"))
                .isEqualTo("messages[0].tool_call_id");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-1}"))
                .isEqualTo("max_tokens");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\"}]}"))
                .isEqualTo("tools[0].function");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"maybe\"}"))
                .isEqualTo("tool_choice");
        assertThat(field("not json")).isEmpty();
    }

    @Test
    void errorBodiesHaveOpenAisShapeAndNameTheParam() {
        JsonNode error = HttpTransport.JSON.readTree(codec.error(new BadRequest("messages[1].content", "must be a string")));
        assertThat(error.path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("error").path("param").asString()).isEqualTo("messages[1].content");
        assertThat(error.path("error").path("message").asString()).contains("messages[1].content");
        JsonNode limited = HttpTransport.JSON.readTree(codec.error(429, "daily budget spent: $0.00 left of $5.00"));
        assertThat(limited.path("error").path("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(limited.path("error").path("message").asString()).contains("daily budget");
    }

    private String field(String body) {
        return catchThrowableOfType(BadRequest.class, () -> codec.decode(body.getBytes(StandardCharsets.UTF_8), "", false)).field();
    }
}
