package dev.ensemble.agents.builtin;

import static dev.ensemble.agents.builtin.Harness.call;
import static dev.ensemble.agents.builtin.Harness.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentResult.Status;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The loop: how runs end, what they report, and what the model sees. */
class BuiltinAgentTest {
    @TempDir
    Path dir;
    Harness h;

    @BeforeEach
    void start() {
        h = new Harness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void writesAFileThenFinishes() throws Exception {
        h.owned = List.of("docs/**");
        Reply write = call("write_file", "path", "docs/hello.txt", "content", "hello\n");
        Reply done = finish("wrote docs/hello.txt");
        h.script(write, done);

        AgentResult result = h.run("write a greeting to docs/hello.txt");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.finalMessage()).isEqualTo("wrote docs/hello.txt");
        assertThat(result.failureReason()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("docs/hello.txt"))).isEqualTo("hello\n");
        assertThat(result.filesChanged()).containsExactly("docs/hello.txt");
        assertThat(result.sessionId()).hasValueSatisfying(id -> assertThat(id).startsWith("builtin-"));
        assertThat(result.reportedCostUsd()).isEmpty();

        // Usage is the sum of what the server reported for each of the two turns.
        List<RecordedRequest> requests = h.requests();
        assertThat(requests).hasSize(2);
        Usage expected = Usage.ZERO;
        List<Reply> replies = List.of(write, done);
        for (int i = 0; i < 2; i++) {
            var c = (Reply.ToolCall) replies.get(i);
            TokenCount t = TokenCount.estimate(requests.get(i).parsed().inputText(), c.name() + c.argumentsJson(), 0);
            expected = expected.plus(new Usage(t.input(), t.output(), 0));
        }
        assertThat(result.usage()).isEqualTo(expected);
        assertThat(result.costUsd()).isEqualTo(Harness.MODEL.costUsd(expected)).isPositive();

        // The first request: system prompt naming the owned paths, the task, and the seven tools.
        JsonNode first = h.server.requests().getFirst().parsed().body();
        assertThat(first.path("messages").path(0).path("role").asString()).isEqualTo("system");
        assertThat(first.path("messages").path(0).path("content").asString()).contains("docs/**").contains("finish");
        assertThat(first.path("messages").path(1).path("content").asString()).isEqualTo("write a greeting to docs/hello.txt");
        assertThat(requests.getFirst().parsed().toolNames())
                .containsExactly("read_file", "write_file", "edit_file", "list_dir", "grep", "run_command", "finish");

        // The second request carries the call and its result, in order.
        JsonNode messages = h.lastMessages();
        assertThat(roles(messages)).containsExactly("system", "user", "assistant", "tool");
        assertThat(messages.path(2).path("tool_calls").path(0).path("function").path("name").asString()).isEqualTo("write_file");
        assertThat(h.toolResults()).containsExactly("created docs/hello.txt (6 bytes)");

        assertThat(result.events()).filteredOn(AgentEvent.ToolUse.class::isInstance)
                .extracting(e -> ((AgentEvent.ToolUse) e).tool()).containsExactly("write_file", "finish");
        assertThat(h.live).containsExactlyElementsOf(result.events());
    }

    @Test
    void drivesAnOpenAiChatModelAlike() throws Exception {
        h.wire = WireProtocol.OPENAI_CHAT;
        h.script(call("write_file", "path", "a.txt", "content", "A"), call("read_file", "path", "a.txt"), finish("done"));

        AgentResult result = h.run("write a.txt");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("A");
        assertThat(h.requests()).extracting(RecordedRequest::path).containsOnly("/v1/chat/completions").hasSize(3);
        assertThat(h.toolResults()).containsExactly("created a.txt (1 bytes)", "A");
        assertThat(result.usage().inputTokens()).isGreaterThan(h.requests().getLast().parsed().inputText().length() / 4);
    }

    @Test
    void aFailingModelFailsTheRunWithTheReason() {
        h.server.rule(Rule.fault(new Fault.HttpError(500)));

        AgentResult result = h.run("anything");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason()).startsWith("model failed: server error");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.events()).last().isInstanceOf(AgentEvent.Error.class);
        assertThat(h.requests()).hasSize(1);
    }

    @Test
    void theSameCallThreeTimesIsALoop() {
        write("a.txt", "content");
        h.server.rule(Rule.answer(Reply.toolCall("read_file", "{\"path\": \"a.txt\"}")));

        AgentResult result = h.run("read a.txt");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        // Ollama sends arguments as an object; the client hands them on as compact JSON.
        assertThat(result.failureReason()).isEqualTo("loop: read_file {\"path\":\"a.txt\"} repeated 3 times");
        assertThat(h.requests()).hasSize(3);
        // The third call was not carried out.
        assertThat(h.toolResults()).containsExactly("content", "content");
    }

    @Test
    void repeatsAreCountedFromTheLastChangeOfTheWorkspace() throws Exception {
        h.script(call("read_file", "path", "n.txt"), call("write_file", "path", "n.txt", "content", "1"),
                call("read_file", "path", "n.txt"), call("read_file", "path", "n.txt"),
                call("write_file", "path", "n.txt", "content", "2"), call("read_file", "path", "n.txt"), finish("ok"));

        AgentResult result = h.run("count");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(Files.readString(dir.resolve("n.txt"))).isEqualTo("2");
    }

    @Test
    void turnsWithoutNewInformationOrChangesStopTheRun() {
        h.settings = h.settings.withNoProgressTurns(3);
        write("a.txt", "same");
        h.script(call("read_file", "path", "a.txt"), call("read_file", "path", "./a.txt"),
                call("read_file", "path", "x/../a.txt"), call("read_file", "path", "././a.txt"), finish("never reached"));

        AgentResult result = h.run("look around");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason()).isEqualTo("no progress: 3 turns in a row changed no file and brought no new information");
        assertThat(h.requests()).hasSize(4);
    }

    @Test
    void theTurnCapStopsTheRun() {
        h.settings = h.settings.withMaxTurns(2);
        write("a.txt", "A");
        write("b.txt", "B");
        h.script(call("read_file", "path", "a.txt"), call("read_file", "path", "b.txt"), finish("never reached"));

        AgentResult result = h.run("read");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason()).isEqualTo("turn cap: 2 turns without the model calling finish");
        assertThat(h.requests()).hasSize(2);
    }

    @Test
    void theTokenCapStopsTheRun() {
        h.settings = h.settings.withMaxTotalTokens(50);
        h.script(call("list_dir"), finish("never reached"));

        AgentResult result = h.run("list");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason()).startsWith("token cap: ").endsWith("tokens used, the cap is 50");
        assertThat(result.usage().totalTokens()).isGreaterThanOrEqualTo(50);
        assertThat(h.requests()).hasSize(1);
    }

    @Test
    void plainTextAfterAChangeIsTakenAsDone() throws Exception {
        h.script(call("write_file", "path", "a.txt", "content", "A"), Reply.text("All done: a.txt written."));

        AgentResult result = h.run("write a.txt");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.finalMessage()).isEqualTo("All done: a.txt written.");
        assertThat(result.events()).contains(result.events().stream()
                .filter(e -> e instanceof AgentEvent.Message m && m.text().startsWith("All done")).findFirst().orElseThrow());
    }

    @Test
    void plainTextWithoutAnyChangeIsNudgedOnceThenFails() {
        h.script(Reply.text("You could add a file."), Reply.text("I suggest editing main.c."));

        AgentResult result = h.run("fix the bug");

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason())
                .isEqualTo("the model stopped without calling finish and without changing any file: I suggest editing main.c.");
        assertThat(h.requests()).hasSize(2);
        JsonNode messages = h.lastMessages();
        assertThat(roles(messages)).containsExactly("system", "user", "assistant", "user");
        assertThat(messages.path(3).path("content").asString()).isEqualTo(SystemPrompt.NUDGE);
    }

    @Test
    void theTaskTimeoutStopsAModelThatHangs() {
        h.timeout = Duration.ofMillis(300);
        h.server.rule(Rule.text("late").withFault(new Fault.Stall(Duration.ofSeconds(8))));

        AgentResult result = h.run("anything");

        assertThat(result.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(result.failureReason()).isEqualTo("timed out after 300 ms");
        assertThat(result.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void badArgumentsAndUnknownToolsAreToolErrors() {
        h.script(Reply.toolCall("write_file", "{not json"), call("delete_everything"), call("write_file", "path", "x.txt"),
                finish("gave up"));

        AgentResult result = h.run("try");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        List<String> results = h.toolResults();
        assertThat(results).hasSize(3);
        assertThat(results.get(0)).startsWith("error: the arguments of write_file are not a JSON object");
        assertThat(results.get(1)).startsWith("error: there is no tool 'delete_everything'");
        assertThat(results.get(2)).isEqualTo("error: write_file needs the argument 'content'");
        assertThat(result.events()).filteredOn(AgentEvent.Error.class::isInstance).hasSize(3);
    }

    @Test
    void resumeIsNotSupportedAndSaysSo() {
        h.resume = Optional.of("builtin-old");
        h.script(finish("nothing to do"));

        AgentResult result = h.run("noop");

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.sessionId()).isNotEqualTo(Optional.of("builtin-old"));
        assertThat(result.events().getFirst()).isInstanceOfSatisfying(AgentEvent.Error.class,
                e -> assertThat(e.message()).contains("cannot resume session builtin-old"));
    }

    @Test
    void detectionNeedsNothingAndDrivesEveryProtocol() {
        var info = new BuiltinAgent(task -> null, BuiltinSettings.DEFAULTS).detect();
        assertThat(info.name()).isEqualTo("builtin");
        assertThat(info.usable()).isTrue();
        assertThat(info.drives()).containsExactlyInAnyOrder(WireProtocol.values());
    }

    private void write(String name, String content) {
        try {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.writeString(dir.resolve(name), content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> roles(JsonNode messages) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : messages) out.add(m.path("role").asString());
        return out;
    }
}
