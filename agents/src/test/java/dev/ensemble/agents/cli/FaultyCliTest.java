package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.WireProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLIs that crash, hang, print garbage, or fail while exiting 0: never a success, always a clear reason. */
class FaultyCliTest {
    @TempDir Path tmp;
    private Workspace workspace;

    @BeforeEach
    void repo() throws Exception {
        workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
    }

    private AgentTask task(WireProtocol wire, Duration timeout) {
        return TestRepos.task("do it", TestRepos.model("m"), TestRepos.provider(wire, "http://127.0.0.1:9/v1"), timeout);
    }

    private CliSettings with(String agent, String fake) {
        return FakeClis.settings(tmp).withBinary(agent, FakeClis.install(tmp.resolve("bin"), fake, agent));
    }

    @Test
    void aCrashIsAFailureWithItsExitCodeAndStderr() {
        AgentResult result = new ClaudeAgent(with("claude", "crash.sh")).run(task(WireProtocol.ANTHROPIC, Duration.ofSeconds(30)),
                workspace, AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.failureReason()).contains("claude exited with code 3").contains("the agent crashed while starting");
    }

    @Test
    void aHangIsKilledAtTheTimeoutWithNoProcessLeft() throws Exception {
        List<AgentEvent> seen = Collections.synchronizedList(new ArrayList<>());
        AgentResult result = new CodexAgent(with("codex", "hang.sh")).run(task(WireProtocol.OPENAI_RESPONSES, Duration.ofSeconds(2)),
                workspace, seen::add);

        assertThat(result.status()).isEqualTo(AgentResult.Status.TIMED_OUT);
        assertThat(result.failureReason()).contains("did not finish within 2 s").contains("process tree was killed");
        assertThat(result.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        for (String file : List.of("hang-parent.pid", "hang-child.pid")) {
            long pid = Long.parseLong(Files.readString(workspace.directory().resolve(file)).strip());
            assertThat(ProcessHandle.of(pid).filter(Running::running)).as(file).isEmpty();
        }
        assertThat(seen).as("the listener saw the events before the kill").isNotEmpty();
    }

    @Test
    void garbageOutputIsAFailureEvenWithExitZero() {
        AgentResult result = new GeminiAgent(with("gemini", "garbage.sh")).run(task(WireProtocol.GEMINI, Duration.ofSeconds(30)),
                workspace, AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.exitCode()).isZero();
        assertThat(result.failureReason()).contains("exited 0 but printed no output in its format").contains("Welcome to SuperAgent!");
        assertThat(result.events()).hasSize(3).allMatch(AgentEvent.Raw.class::isInstance);
    }

    @Test
    void qwensApiErrorWithExitZeroIsAFailure() {
        AgentResult result = new QwenAgent(with("qwen", "qwen-api-error.sh")).run(task(WireProtocol.OPENAI_CHAT, Duration.ofSeconds(30)),
                workspace, AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.exitCode()).isZero();
        assertThat(result.failureReason()).contains("qwen reported an error (and exited 0)").contains("[API Error: 400");
        assertThat(result.sessionId()).contains("9d1c1f4e-qwen");
    }

    @Test
    void anExitZeroWithoutTheFinalEventIsAFailure() {
        Path fake = FakeClis.replaying(tmp.resolve("bin"), "codex-ok.jsonl", "codex-cut", 0);
        // Only the first three lines: the stream stops before turn.completed.
        try {
            List<String> lines = Files.readAllLines(tmp.resolve("bin/codex-cut.sample")).subList(0, 3);
            Files.write(tmp.resolve("bin/codex-cut.sample"), lines);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        AgentResult result = new CodexAgent(FakeClis.settings(tmp).withBinary("codex", fake))
                .run(task(WireProtocol.OPENAI_RESPONSES, Duration.ofSeconds(30)), workspace, AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains("codex exited 0 without its final result");
    }

    @Test
    void theKeyIsMaskedInEventsMessagesAndReasons() {
        List<AgentEvent> seen = Collections.synchronizedList(new ArrayList<>());
        AgentResult result = new ClaudeAgent(with("claude", "leaky-claude.sh")).run(task(WireProtocol.ANTHROPIC, Duration.ofSeconds(30)),
                workspace, seen::add);

        assertThat(result.status()).as("exit code 4 despite a success result").isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains("exited with code 4").contains("stderr has " + Redactor.MASK);
        assertThat(result.finalMessage()).isEqualTo("done, key " + Redactor.MASK);
        assertThat(result.events()).hasSize(5).containsExactlyElementsOf(seen);
        assertThat(result.events().getFirst()).isInstanceOf(AgentEvent.Session.class);
        assertThat(result.events()).allSatisfy(e -> assertThat(e.toString()).doesNotContain(TestRepos.KEY));
        assertThat(result.events().subList(1, 5)).allSatisfy(e -> assertThat(e.toString()).contains(Redactor.MASK));
        assertThat(result.failureReason()).doesNotContain(TestRepos.KEY);
    }

    @Test
    void aMissingCliIsAFailureNamingTheInstallScript() {
        CliSettings settings = FakeClis.settings(tmp).withBinary("opencode", tmp.resolve("not-there"));
        AgentResult result = new OpencodeAgent(settings).run(task(WireProtocol.OPENAI_CHAT, Duration.ofSeconds(5)), workspace,
                AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains("opencode is not installed").contains(".ci/install-agent-clis.sh");
    }

    @Test
    void aProviderOfTheWrongWireIsRefusedBeforeStarting() {
        AgentResult result = new CodexAgent(with("codex", "crash.sh")).run(task(WireProtocol.ANTHROPIC, Duration.ofSeconds(5)),
                workspace, AgentListenerStub.NONE);

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains("codex cannot drive a anthropic provider");
        assertThat(result.exitCode()).isEqualTo(-1);
    }

    @Test
    void aThrowingListenerDoesNotBreakTheRun() {
        Path fake = FakeClis.replaying(tmp.resolve("bin"), "gemini-ok.jsonl", "gemini", 0);
        AgentResult result = new GeminiAgent(FakeClis.settings(tmp).withBinary("gemini", fake))
                .run(task(WireProtocol.GEMINI, Duration.ofSeconds(30)), workspace, event -> {
                    throw new IllegalStateException("listener bug");
                });

        assertThat(result.status()).isEqualTo(AgentResult.Status.SUCCEEDED);
    }

    /** A listener that ignores everything. */
    private static final class AgentListenerStub {
        static final dev.ensemble.agents.AgentListener NONE = dev.ensemble.agents.AgentListener.NONE;
    }
}
