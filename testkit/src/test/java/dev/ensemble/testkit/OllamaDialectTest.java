package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectWire.json;
import static dev.ensemble.testkit.DialectWire.ndjson;
import static dev.ensemble.testkit.DialectWire.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OllamaDialectTest {
    private ScriptedModelServer server;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String chat() {
        return server.baseUrl() + "/api/chat";
    }

    @Test
    void plainAnswerIsOneObjectWithCounts() {
        server.rule(Rule.text("Hello there.").whenPrompt("greet"));
        HttpResponse<String> response = post(chat(), """
                {"model":"llama3.2","stream":false,"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"greet me"}]}""");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        JsonNode body = json(response.body());
        assertThat(body.path("model").asString()).isEqualTo("llama3.2");
        assertThat(body.path("created_at").asString()).isNotEmpty();
        assertThat(body.path("message").path("role").asString()).isEqualTo("assistant");
        assertThat(body.path("message").path("content").asString()).isEqualTo("Hello there.");
        assertThat(body.path("done").asBoolean()).isTrue();
        assertThat(body.path("done_reason").asString()).isEqualTo("stop");
        assertThat(body.path("prompt_eval_count").asInt()).isPositive();
        assertThat(body.path("eval_count").asInt()).isPositive();
        assertThat(body.path("total_duration").asLong()).isPositive();
        RecordedRequest seen = server.requests().getLast();
        assertThat(seen.protocol()).isEqualTo("ollama");
        assertThat(seen.parsed().lastUserText()).isEqualTo("greet me");
        assertThat(seen.parsed().stream()).isFalse();
    }

    @Test
    void withoutStreamFieldTheAnswerIsStreamedAsOllamaDoes() {
        server.rule(Rule.text("one two three"));
        HttpResponse<String> response = post(chat(), """
                {"model":"llama3.2","messages":[{"role":"user","content":"count"}]}""");
        assertThat(response.headers().firstValue("content-type")).contains("application/x-ndjson");
        List<JsonNode> lines = ndjson(response.body());
        assertThat(lines).hasSize(4);
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines.subList(0, 3)) {
            assertThat(line.path("done").asBoolean()).isFalse();
            assertThat(line.path("message").path("role").asString()).isEqualTo("assistant");
            text.append(line.path("message").path("content").asString());
        }
        assertThat(text).hasToString("one two three");
        JsonNode last = lines.getLast();
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(last.path("done_reason").asString()).isEqualTo("stop");
        assertThat(last.path("eval_count").asInt()).isPositive();
        assertThat(server.requests().getLast().parsed().stream()).isTrue();
    }

    @Test
    void toolCallHasObjectArgumentsAndNoId() {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"a.txt\"}")).whenTools(true));
        String request = """
                {"model":"qwen3","stream":%s,"messages":[{"role":"user","content":"write"}],
                 "tools":[{"type":"function","function":{"name":"write_file","description":"w","parameters":{"type":"object"}}}]}""";
        JsonNode plain = json(post(chat(), request.formatted("false")).body());
        JsonNode call = plain.path("message").path("tool_calls").path(0);
        assertThat(call.has("id")).isFalse();
        assertThat(call.path("function").path("name").asString()).isEqualTo("write_file");
        assertThat(call.path("function").path("arguments").isObject()).isTrue();
        assertThat(call.path("function").path("arguments").path("path").asString()).isEqualTo("a.txt");
        assertThat(server.requests().getLast().parsed().toolNames()).containsExactly("write_file");

        List<JsonNode> lines = ndjson(post(chat(), request.formatted("true")).body());
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst().path("message").path("tool_calls").path(0).path("function").path("arguments").path("path")
                .asString()).isEqualTo("a.txt");
        assertThat(lines.getLast().path("done").asBoolean()).isTrue();
    }

    @Test
    void toolResultIsRecognisedByRole() {
        server.rule(Rule.text("done").whenToolResult(true));
        JsonNode body = json(post(chat(), """
                {"model":"qwen3","stream":false,"messages":[{"role":"user","content":"write"},
                 {"role":"assistant","content":"","tool_calls":[{"function":{"name":"write_file","arguments":{"path":"a.txt"}}}]},
                 {"role":"tool","content":"ok","tool_name":"write_file"}]}""").body());
        assertThat(body.path("message").path("content").asString()).isEqualTo("done");
        assertThat(server.requests().getLast().parsed().hasToolResult()).isTrue();
        assertThat(server.requests().getLast().parsed().inputText()).contains("a.txt");
    }

    @Test
    void errorsAreOllamaShaped() {
        server.rule(Rule.fault(new Fault.HttpError(500)));
        HttpResponse<String> response = post(chat(), """
                {"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}""");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response.body()).path("error").isString()).isTrue();
    }
}
