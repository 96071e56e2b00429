package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.process.SandboxMode;
import dev.ensemble.agents.process.SandboxPolicy;
import dev.ensemble.agents.process.SandboxProbe;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each real CLI, installed by .ci/install-agent-clis.sh, pointed at the scripted model server.
 * The model's first answer is a tool call that writes hello.txt, its second a final text: the
 * adapter must report success, the file, tokens, cost and a session id, and a second run must
 * resume that session. A provider error (HTTP 401 that echoes the key) must end as FAILED with
 * the key redacted. A CLI that is not installed is skipped with a message naming the install script.
 * Every CLI runs under {@code policy.sandbox: required} (bubblewrap on Linux, gateway-only network).
 *
 * <p>Set ENSEMBLE_CAPTURE_DIR to keep each CLI's raw stdout (how the parser test samples were made).
 */
@Tag("slow")
class RealCliSlowTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String PROMPT = "Create the file hello.txt containing hi";

    /** How to drive one CLI: its adapter, the wire it speaks, a model name and the tool call that writes the file. */
    private record Cli(Function<CliSettings, CliAgent> adapter, WireProtocol wire, String model, String basePath,
                       Function<Path, Reply> writeCall, int errorStatus) {}

    private static final Map<String, Cli> CLIS = Map.of(
            "claude", new Cli(ClaudeAgent::new, WireProtocol.ANTHROPIC, "claude-sonnet-4-5", "",
                    file -> Reply.toolCall("Write", "{\"file_path\":\"" + file + "\",\"content\":\"hi\"}"), 401),
            "codex", new Cli(CodexAgent::new, WireProtocol.OPENAI_RESPONSES, "scripted-coder", "/v1",
                    file -> Reply.toolCall("exec_command", "{\"cmd\":\"printf hi > hello.txt\",\"workdir\":\"" + file.getParent() + "\"}"), 401),
            "opencode", new Cli(OpencodeAgent::new, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1",
                    file -> Reply.toolCall("write", "{\"filePath\":\"" + file + "\",\"content\":\"hi\"}"), 400),
            "gemini", new Cli(GeminiAgent::new, WireProtocol.GEMINI, "gemini-2.5-flash", "",
                    file -> Reply.toolCall("write_file", "{\"file_path\":\"" + file + "\",\"content\":\"hi\"}"), 401),
            "qwen", new Cli(QwenAgent::new, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1",
                    file -> Reply.toolCall("write_file", "{\"file_path\":\"" + file + "\",\"content\":\"hi\"}"), 401),
            "cn", new Cli(ContinueAgent::new, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1",
                    file -> Reply.toolCall("Write", "{\"filepath\":\"" + file + "\",\"content\":\"hi\"}"), 400));

    @TempDir Path tmp;

    @ParameterizedTest(name = "{0} writes a file through a real tool call, then resumes")
    @ValueSource(strings = {"claude", "codex", "opencode", "gemini", "qwen", "cn"})
    void writesAFileAndResumes(String name) throws Exception {
        Cli cli = CLIS.get(name);
        CliAgent agent = installed(cli, "ok");
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path file = workspace.directory().toRealPath().resolve("hello.txt");
        String protocol = cli.wire().key();
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.answer(cli.writeCall().apply(file)).forProtocol(protocol).whenTools(true).whenToolResult(false).named("tool"));
            server.rule(Rule.text("Done: hello.txt is written.").forProtocol(protocol).named("final"));
            AgentTask task = TestRepos.task(PROMPT, TestRepos.model(cli.model()),
                    TestRepos.provider(cli.wire(), server.baseUrl() + cli.basePath()), TIMEOUT);

            AgentResult result = agent.run(task, workspace, event -> System.out.println("[" + name + "] " + event));

            String diagnosis = result.failureReason() + "\nrequests: " + server.requests().stream()
                    .map(r -> r.method() + " " + r.path() + " -> " + r.status() + " (" + r.rule() + ")").toList();
            assertThat(result.status()).as(diagnosis).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(file).as(diagnosis).hasContent("hi");
            assertThat(result.filesChanged()).contains("hello.txt");
            assertThat(result.usage().inputTokens()).as("input tokens").isPositive();
            assertThat(result.usage().outputTokens()).as("output tokens").isPositive();
            assertThat(result.costUsd()).isPositive();
            assertThat(result.sessionId()).as("session id").isPresent();
            assertThat(result.finalMessage()).contains("Done");
            assertThat(result.exitCode()).isZero();
            assertThat(server.requests()).anySatisfy(r -> assertThat(r.rule()).isEqualTo("tool"));
            assertNoKey(result);

            // Resume: the kept session goes on, so a request of the next run carries the first conversation.
            server.clearRequests();
            AgentTask next = new AgentTask("run1", "task1", "Now say bye", task.model(), task.provider(), task.apiKey(),
                    task.ownedPaths(), TIMEOUT, result.sessionId());
            AgentResult resumed = agent.run(next, workspace, event -> System.out.println("[" + name + " resumed] " + event));
            assertThat(resumed.status()).as(resumed.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(server.requests()).as("a request of the resumed session carries the first prompt")
                    .anySatisfy(r -> assertThat(r.body()).contains("Now say bye").contains("hello.txt containing hi"));
        }
    }

    /**
     * 401 answers repeat the key (the worst case for redaction); opencode and cn keep retrying a 401
     * until killed, so they get a 400, which they give up on at once.
     */
    @ParameterizedTest(name = "{0}: a provider error is a redacted failure")
    @ValueSource(strings = {"claude", "codex", "opencode", "gemini", "qwen", "cn"})
    void providerErrorIsAFailure(String name) throws Exception {
        Cli cli = CLIS.get(name);
        CliAgent agent = installed(cli, "error");
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(cli.errorStatus())).forProtocol(cli.wire().key()));
            // The limit only ends the CLIs that retry an error until killed (cn); 30 s was shorter than opencode's
            // start on a loaded 2-core machine (its --version alone took 8.5 s there, with or without bwrap),
            // so it was killed before its first request.
            AgentTask task = TestRepos.task(PROMPT, TestRepos.model(cli.model()),
                    TestRepos.provider(cli.wire(), server.baseUrl() + cli.basePath()), Duration.ofSeconds(60));

            AgentResult result = agent.run(task, workspace, event -> System.out.println("[" + name + "] " + event));

            assertThat(result.status()).as(result.failureReason()).isNotEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(result.failureReason()).isNotBlank();
            assertThat(server.requests()).as("the CLI called the server").isNotEmpty();
            assertNoKey(result);
            System.out.println("[" + name + "] " + result.status() + ": " + result.failureReason() + "\n[" + name + "] requests: "
                    + server.requests().stream().map(r -> r.method() + " " + r.path() + " -> " + r.status()).toList());
        }
    }

    private static void assertNoKey(AgentResult result) {
        for (AgentEvent event : result.events()) assertThat(event.toString()).doesNotContain(TestRepos.KEY);
        assertThat(result.failureReason()).doesNotContain(TestRepos.KEY);
        assertThat(result.finalMessage()).doesNotContain(TestRepos.KEY);
    }

    private CliAgent installed(Cli cli, String label) throws Exception {
        // policy.sandbox: required, as a run would choose it: the CLI must do its job inside the box, and a
        // machine without a working sandbox fails here instead of silently running it unconfined.
        Launcher required = SandboxProbe.choose(SandboxPolicy.DEFAULT.withMode(SandboxMode.REQUIRED), SandboxProbe.detect());
        CliSettings settings = CliSettings.defaults().withHomeRoot(tmp.resolve("homes")).withLauncher(required);
        CliAgent agent = cli.adapter().apply(settings);
        Assumptions.assumeTrue(agent.binary().isPresent(), agent.name() + " is not installed: run .ci/install-agent-clis.sh");
        return cli.adapter().apply(capture(agent, settings, label));
    }

    /** With ENSEMBLE_CAPTURE_DIR set, runs the CLI through a wrapper that tees each run's stdout into a new file there. */
    private CliSettings capture(CliAgent agent, CliSettings settings, String label) throws Exception {
        String dir = System.getenv("ENSEMBLE_CAPTURE_DIR");
        if (dir == null || dir.isBlank()) return settings;
        Path out = Path.of(dir);
        Files.createDirectories(out);
        Path wrapper = tmp.resolve("wrap").resolve(agent.name());
        Files.createDirectories(wrapper.getParent());
        Files.writeString(wrapper, "#!/bin/bash\nout=$(mktemp \"" + out + "/" + agent.name() + "-" + label + "-XXXX.out\")\n\""
                + agent.binary().get() + "\" \"$@\" | tee \"$out\"\nexit ${PIPESTATUS[0]}\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return settings.withBinary(agent.name(), wrapper);
    }
}
