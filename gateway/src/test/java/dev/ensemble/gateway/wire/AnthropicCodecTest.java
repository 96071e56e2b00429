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
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AnthropicCodecTest {
    private final AnthropicCodec codec = new AnthropicCodec();

    /** A turn as Claude Code sends it: cached system blocks, thinking, a failed tool, tool search with a deferred tool. */
    private static final String CLAUDE_CODE_TURN = """
            {"model":"claude-sonnet-4-5","max_tokens":32000,"stream":true,"temperature":1,
             "metadata":{"user_id":"u"},"thinking":{"type":"enabled","budget_tokens":1024},
             "system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}},
                       {"type":"text","text":"cwd: /repo"}],
             "tools":[{"name":"Bash","description":"Runs a command","input_schema":{"type":"object",
                         "properties":{"command":{"type":"string"}},"required":["command"]}},
                      {"name":"mcp__db__query","description":"Queries the database","defer_loading":true,
                         "input_schema":{"type":"object","properties":{"sql":{"type":"string"}}}},
                      {"type":"tool_search_tool_regex_20251119","name":"tool_search_tool_regex"}],
             "tool_choice":{"type":"auto"},
             "messages":[
               {"role":"user","content":[{"type":"text","text":"<system-reminder>x</system-reminder>"},
                                         {"type":"text","text":"List files","cache_control":{"type":"ephemeral"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
                                              {"type":"text","text":"Running ls."},
                                              {"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"ls"}},
                                              {"type":"tool_use","id":"toolu_02","name":"Bash","input":{"command":"false"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"a.txt"},
                                         {"type":"tool_result","tool_use_id":"toolu_02","is_error":true,
                                          "content":[{"type":"text","text":"exit 1"}]},
                                         {"type":"text","text":"now the db"}]},
               {"role":"assistant","content":[{"type":"tool_use","id":"toolu_03","name":"tool_search","input":{"q":"db"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_03",
                                          "content":[{"type":"tool_reference","tool_name":"mcp__db__query"}]}]}]}
            """;

    @Test
    void decodesAClaudeCodeTurnForAnotherTarget() {
        GatewayRequest request = codec.decode(CLAUDE_CODE_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        assertThat(request.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(request.stream()).isTrue();
        assertThat(request.chat().maxOutputTokens()).isEqualTo(32000);
        assertThat(request.chat().options().toolChoice()).isEqualTo(ChatOptions.ToolChoice.AUTO);
        // The deferred tool is an ordinary tool; the tool search tool is gone.
        assertThat(request.chat().tools()).extracting(ToolSpec::name).containsExactly("Bash", "mcp__db__query");
        assertThat(request.chat().messages()).containsExactly(
                new ChatMessage.System("You are Claude Code.\n\ncwd: /repo"),
                new ChatMessage.User("<system-reminder>x</system-reminder>\n\nList files"),
                new ChatMessage.Assistant("Running ls.", List.of(new ToolCall("toolu_01", "Bash", "{\"command\":\"ls\"}"),
                        new ToolCall("toolu_02", "Bash", "{\"command\":\"false\"}"))),
                new ChatMessage.ToolResult("toolu_01", "Bash", "a.txt", false),
                new ChatMessage.ToolResult("toolu_02", "Bash", "exit 1", true),
                new ChatMessage.User("now the db"),
                new ChatMessage.Assistant("", List.of(new ToolCall("toolu_03", "tool_search", "{\"q\":\"db\"}"))),
                new ChatMessage.ToolResult("toolu_03", "tool_search", "Tool mcp__db__query is available: Queries the database", false));
    }

    @Test
    void aClaudeCodeTurnReachesAnOpenAiTargetAsValidChatCompletions() {
        GatewayRequest request = codec.decode(CLAUDE_CODE_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        String sent = Clients.sentBody(WireProtocol.OPENAI_CHAT, request.chat(),
                new OpenAiChatCodec().encode(Answers.text("ok", Usage.ZERO), "m"));
        JsonNode body = HttpTransport.JSON.readTree(sent);
        JsonNode messages = body.path("messages");
        assertThat(messages.get(2).path("tool_calls").get(1).path("id").asString()).isEqualTo("toolu_02");
        assertThat(messages.get(3).path("role").asString()).isEqualTo("tool");
        assertThat(messages.get(4).path("tool_call_id").asString()).isEqualTo("toolu_02");
        assertThat(body.path("tools").get(1).path("function").path("name").asString()).isEqualTo("mcp__db__query");
        assertThat(body.path("tool_choice").asString()).isEqualTo("auto");
    }

    @Test
    void aPlainAnswerIsReadByARealMessagesClientWithTheCacheCounts() {
        ChatResponse answer = Answers.toolCall("Let me look.", new ToolCall("call_x", "Bash", "{\"command\":\"ls\"}"),
                new Usage(1000, 40, 800));
        byte[] bytes = codec.encode(answer, "claude-sonnet-4-5");
        JsonNode body = HttpTransport.JSON.readTree(bytes);
        assertThat(body.path("type").asString()).isEqualTo("message");
        assertThat(body.path("id").asString()).startsWith("msg_");
        assertThat(body.path("stop_reason").asString()).isEqualTo("tool_use");
        assertThat(body.path("usage").path("input_tokens").asLong()).isEqualTo(200);
        assertThat(body.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(800);
        assertThat(body.path("content").get(1).path("input").path("command").asString()).isEqualTo("ls");

        ChatResponse read = Clients.readPlain(WireProtocol.ANTHROPIC, bytes);
        assertThat(read.text()).isEqualTo("Let me look.");
        assertThat(read.toolCalls()).containsExactly(new ToolCall("call_x", "Bash", "{\"command\":\"ls\"}"));
        assertThat(read.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.usage()).isEqualTo(new Usage(1000, 40, 800));
    }

    @Test
    void aStreamNumbersTextAndToolUseBlocksAndIsReadByARealClient() {
        GatewayRequest request = codec.decode(CLAUDE_CODE_TURN.getBytes(StandardCharsets.UTF_8), "", false);
        StreamEncoder encoder = codec.streamEncoder(request);
        ToolCall first = new ToolCall("toolu_a", "Bash", "{\"command\":\"ls\"}");
        ToolCall second = new ToolCall("toolu_b", "Bash", "{\"command\":\"pwd\"}");
        String events = encoder.start() + encoder.text("Run") + encoder.text("ning.") + encoder.toolCall(first)
                + encoder.toolCall(second) + encoder.finish(new ChatResponse("Running.", List.of(first, second),
                FinishReason.TOOL_CALLS, new Usage(500, 20, 300), "served", null, null, List.of()));
        assertThat(events).startsWith("event: message_start\n")
                .contains("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\"")
                .contains("\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_a\"")
                .contains("\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_b\"")
                .contains("{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"command\\\":\\\"pwd\\\"}\"}")
                .contains("\"stop_reason\":\"tool_use\"")
                .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

        Clients.Streamed read = Clients.readStream(WireProtocol.ANTHROPIC, events);
        assertThat(read.deltas()).containsExactly("Run", "ning.");
        assertThat(read.calls()).containsExactly(first, second);
        assertThat(read.response().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(read.response().usage()).isEqualTo(new Usage(500, 20, 300));
    }

    @Test
    void aMidStreamFailureIsAnErrorEventTheClientRaises() {
        StreamEncoder encoder = codec.streamEncoder(codec.decode(CLAUDE_CODE_TURN.getBytes(StandardCharsets.UTF_8), "", false));
        String events = encoder.start() + encoder.text("par") + encoder.error(529, "upstream overloaded");
        assertThat(events).contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"");
        ModelException thrown = catchThrowableOfType(ModelException.class, () -> Clients.readStream(WireProtocol.ANTHROPIC, events));
        assertThat(thrown.kind()).isEqualTo(ModelException.Kind.OVERLOADED);
        assertThat(thrown).hasMessageContaining("upstream overloaded");
    }

    @Test
    void aSystemTurnInsideMessagesIsTakenAsSystemText() {
        // as Claude Code 2.1 sends it (its system reminders), after a first user turn
        GatewayRequest request = new AnthropicCodec().decode(("{\"model\":\"m\",\"max_tokens\":10,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"remember the rules\"}]}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "", false);
        assertThat(request.chat().messages()).containsExactly(new ChatMessage.User("hi"), new ChatMessage.System("remember the rules"));
    }

    @Test
    void badRequestsNameTheField() {
        assertThat(field("{\"model\":\"m\",\"max_tokens\":10}")).isEqualTo("messages");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}")).isEqualTo("messages[0].role");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\"}]}]}"))
                .isEqualTo("messages[0].content[0].tool_use_id");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}"))
                .isEqualTo("messages[0].content[0].type");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"name\":\"t\"}]}"))
                .isEqualTo("tools[0].input_schema");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"ten\"}"))
                .isEqualTo("max_tokens");
        assertThat(field("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"system\":[{\"type\":\"image\"}]}"))
                .isEqualTo("system[0].type");
    }

    @Test
    void errorBodiesCarryAnthropicsTypeForTheStatus() {
        assertThat(errorType(400)).isEqualTo("invalid_request_error");
        assertThat(errorType(401)).isEqualTo("authentication_error");
        assertThat(errorType(404)).isEqualTo("not_found_error");
        assertThat(errorType(429)).isEqualTo("rate_limit_error");
        assertThat(errorType(500)).isEqualTo("api_error");
        assertThat(errorType(529)).isEqualTo("overloaded_error");
        JsonNode body = HttpTransport.JSON.readTree(codec.error(429, "task budget spent"));
        assertThat(body.path("type").asString()).isEqualTo("error");
        assertThat(body.path("error").path("message").asString()).isEqualTo("task budget spent");
    }

    private String errorType(int status) {
        return HttpTransport.JSON.readTree(codec.error(status, "x")).path("error").path("type").asString();
    }

    private String field(String body) {
        return catchThrowableOfType(BadRequest.class, () -> codec.decode(body.getBytes(StandardCharsets.UTF_8), "", false)).field();
    }
}
