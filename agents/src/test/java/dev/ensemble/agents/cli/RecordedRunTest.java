package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whole adapter runs against fake CLIs that replay output recorded from the real ones, and the fake aider. */
class RecordedRunTest {
    @TempDir Path tmp;
    private Workspace workspace;

    @BeforeEach
    void repo() throws Exception {
        workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
    }

    private static Function<CliSettings, CliAgent> adapter(String name) {
        return switch (name) {
            case "claude" -> ClaudeAgent::new;
            case "codex" -> CodexAgent::new;
            case "opencode" -> OpencodeAgent::new;
            case "gemini" -> GeminiAgent::new;
            case "qwen" -> QwenAgent::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"claude, ANTHROPIC, true", "codex, OPENAI_RESPONSES, false", "opencode, OPENAI_CHAT, true",
            "gemini, GEMINI, false", "qwen, OPENAI_CHAT, false"})
    void aRecordedSuccessIsASuccess(String name, WireProtocol wire, boolean costReported) throws Exception {
        Path fake = FakeClis.replaying(tmp.resolve("bin"), name + "-ok.jsonl", name, 0);
        Files.writeString(workspace.directory().resolve("hello.txt"), "hi");
        CliSettings settings = FakeClis.settings(tmp).withBinary(name, fake);

        AgentResult result = adapter(name).apply(settings).run(TestRepos.task("write hello.txt", TestRepos.model("m"),
                TestRepos.provider(wire, "http://127.0.0.1:9/v1"), Duration.ofSeconds(30)), workspace, e -> { });

        assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
        assertThat(result.finalMessage()).isEqualTo("Done: hello.txt is written.");
        assertThat(result.filesChanged()).containsExactly("hello.txt");
        assertThat(result.usage().totalTokens()).isPositive();
        assertThat(result.reportedCostUsd().isPresent()).isEqualTo(costReported);
        assertThat(result.costUsd()).isPositive();
        // Whatever the CLI said it cost, the cost is the tokens at the catalog's prices.
        assertThat(result.costUsd()).as("tokens times catalog prices").isEqualTo(TestRepos.PRICES.costUsd(result.usage()));
        assertThat(result.sessionId()).isPresent();
        assertThat(result.events()).isNotEmpty().noneMatch(AgentEvent.Raw.class::isInstance);
        // The session is announced (and its home linked) the moment the CLI names it, once.
        assertThat(result.events()).filteredOn(AgentEvent.Session.class::isInstance).hasSize(1)
                .first().extracting(e -> ((AgentEvent.Session) e).sessionId()).isEqualTo(result.sessionId().get());
        assertThat(settings.sessionsRoot().resolve(name).resolve(PrivateHome.safeName(result.sessionId().get())))
                .as("the session's home is kept for resume").isSymbolicLink();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"claude, ANTHROPIC, 1", "codex, OPENAI_RESPONSES, 1", "gemini, GEMINI, 145", "qwen, OPENAI_CHAT, 0"})
    void aRecordedProviderErrorIsAFailure(String name, WireProtocol wire, int exitCode) throws Exception {
        Path fake = FakeClis.replaying(tmp.resolve("bin"), name + "-401.jsonl", name, exitCode);
        AgentResult result = adapter(name).apply(FakeClis.settings(tmp).withBinary(name, fake)).run(TestRepos.task("x",
                TestRepos.model("m"), TestRepos.provider(wire, "http://127.0.0.1:9/v1"), Duration.ofSeconds(30)), workspace, e -> { });

        assertThat(result.status()).isEqualTo(AgentResult.Status.FAILED);
        assertThat(result.failureReason()).contains(name + " reported an error").contains("401");
        // The recorded key (the scripted server repeats it in its 401) is masked once the key is known.
        assertThat(result.failureReason()).doesNotContain(TestRepos.KEY);
        assertThat(result.events()).allSatisfy(e -> assertThat(e.toString()).doesNotContain(TestRepos.KEY));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"claude, ANTHROPIC", "codex, OPENAI_RESPONSES"})
    void aSessionWithNoKeptHomeIsNotResumedButStartedAfresh(String name, WireProtocol wire) throws Exception {
        Path fake = FakeClis.replaying(tmp.resolve("bin"), name + "-ok.jsonl", name, 0);
        Files.writeString(workspace.directory().resolve("hello.txt"), "hi");
        CliSettings settings = FakeClis.settings(tmp).withBinary(name, fake);
        var base = TestRepos.task("write hello.txt", TestRepos.model("m"), TestRepos.provider(wire, "http://127.0.0.1:9/v1"), Duration.ofSeconds(30));
        var task = new dev.ensemble.agents.AgentTask(base.runId(), base.taskId(), base.prompt(), base.model(), base.provider(), base.apiKey(),
                base.ownedPaths(), base.timeout(), java.util.Optional.of("gone-session"));

        AgentResult result = adapter(name).apply(settings).run(task, workspace, e -> { });

        assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
        assertThat(result.events()).anyMatch(e -> e instanceof AgentEvent.Message m && m.text().contains("no kept " + name + " session gone-session"));
        // The replaying fake records its arguments: no resume flag naming the lost session reached it.
        assertThat(Files.readString(fake.resolveSibling(name + ".args"))).doesNotContain("gone-session");
    }

    @Test
    void theFakeAiderEditsAndReportsTokensAndCost() {
        CliSettings settings = FakeClis.settings(tmp).withBinary("aider", FakeClis.install(tmp.resolve("bin"), "aider", "aider"));
        AgentResult result = new AiderAgent(settings).run(TestRepos.task("write hello.txt", TestRepos.model("m"),
                TestRepos.provider(WireProtocol.OLLAMA, "http://127.0.0.1:11434"), Duration.ofSeconds(30)), workspace, e -> { });

        assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
        assertThat(workspace.directory().resolve("hello.txt")).hasContent("hi");
        assertThat(result.filesChanged()).containsExactly("hello.txt");
        assertThat(result.usage().inputTokens()).isEqualTo(2300);
        assertThat(result.reportedCostUsd()).hasValue(0.0123);
        assertThat(result.costUsd()).as("the catalog's prices, not aider's").isEqualTo(TestRepos.PRICES.costUsd(result.usage()));
        assertThat(result.sessionId()).isEmpty();
        assertThat(result.events()).anyMatch(e -> e instanceof AgentEvent.ToolUse t && t.input().equals("hello.txt"));
    }

    @Test
    void aiderDetectsItsVersion() {
        CliSettings settings = FakeClis.settings(tmp).withBinary("aider", FakeClis.install(tmp.resolve("bin"), "aider", "aider"));
        var info = new AiderAgent(settings).detect();

        assertThat(info.usable()).as(info.reason()).isTrue();
        assertThat(info.version()).isEqualTo("0.86.1");
        assertThat(info.drives()).containsExactlyInAnyOrder(WireProtocol.OPENAI_CHAT, WireProtocol.ANTHROPIC, WireProtocol.GEMINI,
                WireProtocol.OLLAMA);
    }
}
