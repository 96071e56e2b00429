package dev.ensemble.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScriptFileTest {

    @Test
    void parsesEveryKindOfRule() {
        ScriptFile script = ScriptFile.parse("""
                models: [qwen2.5-coder:7b]
                cached_tokens: 4
                rules:
                  - name: tool
                    protocol: anthropic
                    model: "claude.*"
                    tools: true
                    tool_result: false
                    tool_call: { name: Write, arguments: { file_path: /tmp/a.txt, content: hi } }
                  - name: limited
                    fault: { type: rate_limited, retry_after: 3 }
                    times: 1
                  - reply: "Done."
                    prompt: "finish"
                    chunk_delay: 20ms
                """, "test.yaml");
        assertThat(script.models()).containsExactly("qwen2.5-coder:7b");
        assertThat(script.cachedTokens()).isEqualTo(4);
        assertThat(script.rules()).hasSize(3);
        assertThat(script.rules().get(0).reply()).isEqualTo(Reply.toolCall("Write", "{\"file_path\":\"/tmp/a.txt\",\"content\":\"hi\"}"));
        assertThat(script.rules().get(0).toolsOffered()).isTrue();
        assertThat(script.rules().get(1).fault()).isEqualTo(new Fault.RateLimited(3));
        assertThat(script.rules().get(1).times()).isEqualTo(1);
        assertThat(script.rules().get(2).chunkDelay()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void rejectsMistakesWithThePlace() {
        assertThatThrownBy(() -> ScriptFile.parse("rules:\n  - reply: x\n    colour: red\n", "s.yaml"))
                .hasMessageContaining("s.yaml: rules[0].colour: unknown key");
        assertThatThrownBy(() -> ScriptFile.parse("rules:\n  - fault: { type: explode }\n", "s.yaml"))
                .hasMessageContaining("rules[0].fault.type: 'explode'");
        assertThatThrownBy(() -> ScriptFile.parse("rules:\n  - protocol: grpc\n    reply: x\n", "s.yaml"))
                .hasMessageContaining("rules[0].protocol");
        assertThatThrownBy(() -> ScriptFile.parse("rules:\n  - name: nothing\n", "s.yaml"))
                .hasMessageContaining("needs reply, tool_call or fault");
        assertThatThrownBy(() -> ScriptFile.parse("rules: [\n", "s.yaml")).hasMessageContaining("s.yaml:");
    }

    @Test
    void aLoadedScriptDrivesARealServer() throws Exception {
        ScriptFile script = ScriptFile.parse("""
                models: [llama3.1:8b]
                rules:
                  - fault: { type: rate_limited, retry_after: 9 }
                    times: 1
                  - reply: "scripted hello"
                """, "inline");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            script.applyTo(server);
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest post = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build();
            HttpResponse<String> first = client.send(post, HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(429);
            assertThat(first.headers().firstValue("retry-after")).contains("9");
            HttpResponse<String> second = client.send(post, HttpResponse.BodyHandlers.ofString());
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body()).contains("scripted hello");
            HttpResponse<String> tags = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/tags")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tags.body()).contains("llama3.1:8b");
            assertThat(server.requests()).extracting(RecordedRequest::status).containsExactly(429, 200, 200);
        }
    }
}
