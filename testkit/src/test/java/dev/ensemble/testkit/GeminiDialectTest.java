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

/** The Gemini dialect's exact wire shapes, read with a plain HTTP client. */
class GeminiDialectTest {
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
                .header("content-type", "application/json").header("x-goog-api-key", "k")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static final String REQUEST = """
            {"systemInstruction":{"parts":[{"text":"You are Gemini CLI."}]},
             "contents":[{"role":"user","parts":[{"text":"say hello"}]}],
             "generationConfig":{"maxOutputTokens":100}}""";

    @Test
    void aPlainAnswerNamesTheModelFromThePath() throws Exception {
        server.cachedTokens(2).rule(Rule.text("Hello there.").forModel("^gemini-2\\.5-pro$"));
        HttpResponse<String> response = post("/v1beta/models/gemini-2.5-pro:generateContent", REQUEST);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ScriptedModelServer.JSON.readTree(response.body());
        JsonNode candidate = body.path("candidates").path(0);
        assertThat(candidate.path("content").path("role").asString()).isEqualTo("model");
        assertThat(candidate.path("content").path("parts").path(0).path("text").asString()).isEqualTo("Hello there.");
        assertThat(candidate.path("finishReason").asString()).isEqualTo("STOP");
        assertThat(body.path("modelVersion").asString()).isEqualTo("gemini-2.5-pro");

        ParsedRequest parsed = server.requests().getLast().parsed();
        assertThat(parsed.model()).isEqualTo("gemini-2.5-pro");
        assertThat(parsed.stream()).isFalse();
        assertThat(parsed.lastUserText()).isEqualTo("say hello");
        TokenCount tokens = TokenCount.estimate(parsed.inputText(), "Hello there.", 2);
        JsonNode usage = body.path("usageMetadata");
        assertThat(usage.path("promptTokenCount").asInt()).isEqualTo(tokens.input());
        assertThat(usage.path("cachedContentTokenCount").asInt()).isEqualTo(2);
        assertThat(usage.path("candidatesTokenCount").asInt()).isEqualTo(tokens.output());
        assertThat(usage.path("totalTokenCount").asInt()).isEqualTo(tokens.input() + tokens.output());
    }

    @Test
    void aStreamIsDataLinesAndOnlyTheLastCarriesTheFinishReason() throws Exception {
        server.rule(Rule.text("one two three"));
        HttpResponse<String> response = post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", REQUEST);
        assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
        List<JsonNode> chunks = new ArrayList<>();
        for (String frame : response.body().split("\n\n")) {
            assertThat(frame).startsWith("data: ").doesNotContain("\n");
            chunks.add(ScriptedModelServer.JSON.readTree(frame.substring("data: ".length())));
        }
        assertThat(chunks).hasSize(3);
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) text.append(chunk.path("candidates").path(0).path("content").path("parts").path(0).path("text").asString());
        assertThat(text.toString()).isEqualTo("one two three");
        assertThat(chunks.get(0).path("candidates").path(0).has("finishReason")).isFalse();
        assertThat(chunks.get(0).has("usageMetadata")).isFalse();
        assertThat(chunks.get(2).path("candidates").path(0).path("finishReason").asString()).isEqualTo("STOP");
        assertThat(chunks.get(2).path("usageMetadata").path("candidatesTokenCount").asInt()).isPositive();
        assertThat(server.requests().getLast().parsed().stream()).isTrue();
    }

    @Test
    void aFunctionCallHasObjectArgsAndAFunctionResponseIsSeen() throws Exception {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"file_path\":\"/a\",\"content\":\"hi\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.text("Done.").whenToolResult(true));
        String tools = """
                "tools":[{"functionDeclarations":[{"name":"write_file","description":"d","parametersJsonSchema":{"type":"object"}}]}]""";
        HttpResponse<String> call = post("/v1beta/models/g:streamGenerateContent?alt=sse", """
                {"contents":[{"role":"user","parts":[{"text":"write hi"}]}],%s}""".formatted(tools));
        String frame = call.body().strip();
        JsonNode chunk = ScriptedModelServer.JSON.readTree(frame.substring("data: ".length()));
        JsonNode functionCall = chunk.path("candidates").path(0).path("content").path("parts").path(0).path("functionCall");
        assertThat(functionCall.path("name").asString()).isEqualTo("write_file");
        assertThat(functionCall.path("args").path("file_path").asString()).isEqualTo("/a");
        assertThat(chunk.path("candidates").path(0).path("finishReason").asString()).isEqualTo("STOP");
        assertThat(server.requests().getLast().parsed().toolNames()).containsExactly("write_file");

        HttpResponse<String> done = post("/v1beta/models/g:generateContent", """
                {"contents":[{"role":"user","parts":[{"text":"write hi"}]},
                  {"role":"model","parts":[{"functionCall":{"name":"write_file","args":{"file_path":"/a"}}}]},
                  {"role":"user","parts":[{"functionResponse":{"name":"write_file","response":{"output":"written"}}}]}],%s}"""
                .formatted(tools));
        assertThat(done.body()).contains("Done.");
        ParsedRequest parsed = server.requests().getLast().parsed();
        assertThat(parsed.hasToolResult()).isTrue();
        assertThat(parsed.lastUserText()).isEqualTo("write hi");
        assertThat(parsed.inputText()).contains("written");
    }

    @Test
    void errorsHaveGooglesShape() throws Exception {
        server.rule(Rule.fault(new Fault.RateLimited(4)));
        HttpResponse<String> response = post("/v1beta/models/g:generateContent", REQUEST);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).contains("4");
        JsonNode error = ScriptedModelServer.JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(429);
        assertThat(error.path("status").asString()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(error.path("message").asString()).isNotEmpty();
    }
}
