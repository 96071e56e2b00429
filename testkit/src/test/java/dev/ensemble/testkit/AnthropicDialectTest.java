package dev.ensemble.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The Anthropic dialect's exact wire shapes, read with a plain HTTP client. */
class AnthropicDialectTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ScriptedModelServer server;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .header("content-type", "application/json").header("x-api-key", "k").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Claude Code's shape: system as blocks, content as a string, and ?beta=true on the path. */
    @Test
    void aPlainAnswerToClaudeCodesRequestShape() throws Exception {
        server.cachedTokens(2).rule(Rule.text("Hello back.").whenPrompt("greet me"));
        HttpResponse<String> response = post("/v1/messages?beta=true", """
                {"model":"claude-x","max_tokens":100,"system":[{"type":"text","text":"You are Claude Code."}],
                 "messages":[{"role":"user","content":"please greet me"}]}""");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ScriptedModelServer.JSON.readTree(response.body());
        assertThat(body.path("id").asString()).startsWith("msg_");
        assertThat(body.path("type").asString()).isEqualTo("message");
        assertThat(body.path("role").asString()).isEqualTo("assistant");
        assertThat(body.path("model").asString()).isEqualTo("claude-x");
        assertThat(body.path("content").path(0).path("type").asString()).isEqualTo("text");
        assertThat(body.path("content").path(0).path("text").asString()).isEqualTo("Hello back.");
        assertThat(body.path("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(body.path("stop_sequence").isNull()).isTrue();

        RecordedRequest seen = server.requests().getLast();
        assertThat(seen.query()).isEqualTo("beta=true");
        assertThat(seen.protocol()).isEqualTo("anthropic");
        assertThat(seen.parsed().lastUserText()).isEqualTo("please greet me");
        assertThat(seen.parsed().inputText()).contains("You are Claude Code.");
        TokenCount tokens = TokenCount.estimate(seen.parsed().inputText(), "Hello back.", 2);
        JsonNode usage = body.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isEqualTo(tokens.input() - 2);
        assertThat(usage.path("cache_read_input_tokens").asInt()).isEqualTo(2);
        assertThat(usage.path("cache_creation_input_tokens").asInt()).isZero();
        assertThat(usage.path("output_tokens").asInt()).isEqualTo(tokens.output());
    }

    @Test
    void aStreamedToolCallHasTheEventsClaudeCodeReads() throws Exception {
        server.rule(Rule.answer(Reply.toolCall("Write", "{\"file_path\":\"/tmp/a.txt\",\"content\":\"hi\"}")).whenTools(true));
        HttpResponse<String> response = post("/v1/messages", """
                {"model":"claude-x","max_tokens":100,"stream":true,
                 "tools":[{"name":"Write","description":"Write a file","input_schema":{"type":"object"}}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"write hi"}]}]}""");
        assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
        List<String> names = new ArrayList<>();
        List<JsonNode> events = new ArrayList<>();
        for (String frame : response.body().split("\n\n")) {
            String[] lines = frame.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            JsonNode data = ScriptedModelServer.JSON.readTree(lines[1].substring("data: ".length()));
            names.add(lines[0].substring("event: ".length()));
            assertThat(data.path("type").asString()).isEqualTo(names.getLast());
            events.add(data);
        }
        assertThat(names).containsExactly("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        JsonNode message = events.get(0).path("message");
        assertThat(message.path("type").asString()).isEqualTo("message");
        assertThat(message.path("content").isArray()).isTrue();
        assertThat(message.path("usage").path("input_tokens").asInt()).isPositive();
        JsonNode block = events.get(1).path("content_block");
        assertThat(block.path("type").asString()).isEqualTo("tool_use");
        assertThat(block.path("id").asString()).startsWith("toolu_");
        assertThat(block.path("name").asString()).isEqualTo("Write");
        assertThat(block.path("input").isObject()).isTrue();
        String json = events.get(3).path("delta").path("partial_json").asString() + events.get(4).path("delta").path("partial_json").asString();
        assertThat(events.get(3).path("delta").path("type").asString()).isEqualTo("input_json_delta");
        assertThat(ScriptedModelServer.JSON.readTree(json).path("file_path").asString()).isEqualTo("/tmp/a.txt");
        assertThat(events.get(6).path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
        assertThat(events.get(6).path("usage").path("output_tokens").asInt()).isPositive();
        assertThat(server.requests().getLast().parsed().toolNames()).containsExactly("Write");
    }

    @Test
    void aToolResultInAUserTurnIsSeenAndKeepsThePromptBefore() throws Exception {
        server.rule(Rule.text("Wrote it.").whenToolResult(true).whenPrompt("write hi"));
        HttpResponse<String> response = post("/v1/messages", """
                {"model":"claude-x","max_tokens":100,
                 "messages":[{"role":"user","content":"write hi"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/a"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"File written","is_error":false}]}]}""");
        JsonNode body = ScriptedModelServer.JSON.readTree(response.body());
        assertThat(body.path("content").path(0).path("text").asString()).isEqualTo("Wrote it.");
        ParsedRequest parsed = server.requests().getLast().parsed();
        assertThat(parsed.hasToolResult()).isTrue();
        assertThat(parsed.inputText()).contains("File written").contains("/a");
    }

    @Test
    void errorsHaveAnthropicsShape() throws Exception {
        server.rule(Rule.fault(new Fault.RateLimited(3)).times(1));
        server.rule(Rule.fault(new Fault.HttpError(529)));
        HttpResponse<String> limited = post("/v1/messages", "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).contains("3");
        JsonNode body = ScriptedModelServer.JSON.readTree(limited.body());
        assertThat(body.path("type").asString()).isEqualTo("error");
        assertThat(body.path("error").path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(body.path("error").path("message").asString()).isNotEmpty();
        HttpResponse<String> overloaded = post("/v1/messages", "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}");
        assertThat(ScriptedModelServer.JSON.readTree(overloaded.body()).path("error").path("type").asString())
                .isEqualTo("overloaded_error");
    }
}
