package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLIs (installed by .ci/install-agent-clis.sh) against the scripted server, for what only
 * they can show: opencode installs nothing from npm and cn makes no vendor call (each run goes
 * through a wrapper that, after the CLI exits, lists what its private home holds and, where
 * {@code strace} is installed, every address it connected to); Claude Code writes only its owned
 * paths without asking; Codex's commands write the worktree and their private tmp, nothing else.
 */
@Tag("slow")
class OfflineAndPermissionsSlowTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern INET = Pattern.compile("sin6?_addr=inet_(?:addr|pton)\\((?:AF_INET6, )?\"([^\"]+)\"");

    @TempDir Path tmp;

    @Test
    void opencodeRunsTwiceWithoutInstallingAnything() throws Exception {
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path file = workspace.directory().toRealPath().resolve("hello.txt");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.answer(Reply.toolCall("write", "{\"filePath\":\"" + file + "\",\"content\":\"hi\"}"))
                    .forProtocol("openai-chat").whenTools(true).whenToolResult(false));
            server.rule(Rule.text("Done.").forProtocol("openai-chat"));
            for (int run = 1; run <= 2; run++) {
                Path report = tmp.resolve("report-" + run);
                CliAgent agent = watched(new OpencodeAgent(settings()), report);
                AgentResult result = agent.run(task(server, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1", List.of("hello.txt")),
                        workspace, e -> System.out.println("[opencode " + e + "]"));

                assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
                assertThat(Files.readAllLines(report.resolve("installed"))).as("files under node_modules after run " + run).isEmpty();
                assertThat(Files.readString(report.resolve("npm-cache")).strip()).as("an npm cache in the home").isEqualTo("none");
                assertOnlyLoopback(report);
            }
        }
    }

    @Test
    void continueMakesNoVendorCallAndTheTranscriptSaysWhatWasBlocked() throws Exception {
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path file = workspace.directory().toRealPath().resolve("hello.txt");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.answer(Reply.toolCall("Write", "{\"filepath\":\"" + file + "\",\"content\":\"hi\"}"))
                    .forProtocol("openai-chat").whenTools(true).whenToolResult(false));
            server.rule(Rule.text("Done.").forProtocol("openai-chat"));
            Path report = tmp.resolve("report");
            CliAgent agent = watched(new ContinueAgent(settings()), report);
            AgentResult result = agent.run(task(server, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1", List.of("hello.txt")),
                    workspace, e -> System.out.println("[cn " + e + "]"));

            assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(result.events()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(AgentEvent.Message.class,
                    m -> assertThat(m.text()).startsWith("ensemble blocked cn's request to https://api.continue.dev/cn/info")));
            assertThat(result.events().toString()).doesNotContain("?id=");
            assertOnlyLoopback(report);
        }
    }

    /** The model asks Write outside the worktree, Write of an unowned file, then Write of the owned one. */
    @Test
    void claudeWritesOnlyItsOwnedPathAndDoesNotAsk() throws Exception {
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path worktree = workspace.directory().toRealPath();
        Path outside = tmp.toRealPath().resolve("outside.txt");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            for (Path target : List.of(outside, worktree.resolve("unowned.txt"), worktree.resolve("src/owned.txt"))) {
                server.rule(Rule.answer(Reply.toolCall("Write", "{\"file_path\":\"" + target + "\",\"content\":\"x\"}"))
                        .forProtocol("anthropic").whenTools(true).times(1));
            }
            server.rule(Rule.text("Done.").forProtocol("anthropic"));
            CliAgent agent = installed(new ClaudeAgent(settings()));
            AgentResult result = agent.run(task(server, WireProtocol.ANTHROPIC, "claude-sonnet-4-5", "", List.of("src/**")),
                    workspace, e -> System.out.println("[claude " + e + "]"));

            assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(worktree.resolve("src/owned.txt")).hasContent("x");
            assertThat(outside).doesNotExist();
            assertThat(worktree.resolve("unowned.txt")).doesNotExist();
            assertThat(result.filesChanged()).containsExactly("src/owned.txt");
        }
    }

    /** The model asks write outside the worktree, of an unowned file, then of an owned one (two folders down). */
    @Test
    void opencodeWritesOnlyItsOwnedPath() throws Exception {
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path worktree = workspace.directory().toRealPath();
        Path outside = tmp.toRealPath().resolve("outside.txt");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            for (Path target : List.of(outside, worktree.resolve("unowned.txt"), worktree.resolve("src/deep/owned.txt"))) {
                server.rule(Rule.answer(Reply.toolCall("write", "{\"filePath\":\"" + target + "\",\"content\":\"x\"}"))
                        .forProtocol("openai-chat").whenTools(true).times(1));
            }
            server.rule(Rule.text("Done.").forProtocol("openai-chat"));
            CliAgent agent = installed(new OpencodeAgent(settings()));
            AgentResult result = agent.run(task(server, WireProtocol.OPENAI_CHAT, "scripted-coder", "/v1", List.of("src/**")),
                    workspace, e -> System.out.println("[opencode " + e + "]"));

            assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(worktree.resolve("src/deep/owned.txt")).hasContent("x");
            assertThat(outside).doesNotExist();
            assertThat(worktree.resolve("unowned.txt")).doesNotExist();
            assertThat(result.filesChanged()).containsExactly("src/deep/owned.txt");
        }
    }

    /** Codex's commands: the worktree and mktemp work, a file outside is refused, no temp file lands in the worktree. */
    @Test
    void codexCommandsWriteTheWorktreeAndTheirPrivateTmpOnly() throws Exception {
        Workspace workspace = TestRepos.gitWorkspace(tmp.resolve("repo"));
        Path worktree = workspace.directory().toRealPath();
        Path outside = tmp.toRealPath().resolve("outside.txt");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            for (String cmd : List.of("printf hi > hello.txt", "printf x > " + outside,
                    "mktemp > made.txt && python3 -c 'import tempfile; tempfile.mkstemp()'")) {
                server.rule(Rule.answer(Reply.toolCall("exec_command", JsonLineParser.JSON.writeValueAsString(
                        java.util.Map.of("cmd", cmd, "workdir", worktree.toString())))).forProtocol("openai-responses")
                        .whenTools(true).times(1));
            }
            server.rule(Rule.text("Done.").forProtocol("openai-responses"));
            CliAgent agent = installed(new CodexAgent(settings()));
            AgentResult result = agent.run(task(server, WireProtocol.OPENAI_RESPONSES, "scripted-coder", "/v1", List.of()),
                    workspace, e -> System.out.println("[codex " + e + "]"));

            assertThat(result.status()).as(result.failureReason()).isEqualTo(AgentResult.Status.SUCCEEDED);
            assertThat(worktree.resolve("hello.txt")).hasContent("hi");
            assertThat(outside).doesNotExist();
            assertThat(Files.readString(worktree.resolve("made.txt"))).as("mktemp made its file in the private tmp")
                    .startsWith(tmp.resolve("homes").toString());
            assertThat(result.filesChanged()).containsExactlyInAnyOrder("hello.txt", "made.txt");
        }
    }

    private CliSettings settings() {
        return CliSettings.defaults().withHomeRoot(tmp.resolve("homes"));
    }

    private static AgentTask task(ScriptedModelServer server, WireProtocol wire, String model, String basePath, List<String> owned) {
        return new AgentTask("run1", "task1", "Create the file", TestRepos.model(model), TestRepos.provider(wire, server.baseUrl() + basePath),
                Optional.of(TestRepos.KEY), owned, TIMEOUT, Optional.empty());
    }

    private static CliAgent installed(CliAgent agent) {
        Assumptions.assumeTrue(agent.binary().isPresent(), agent.name() + " is not installed: run .ci/install-agent-clis.sh");
        return agent;
    }

    /**
     * The same CLI run through a wrapper that, after it exits, writes to {@code report}: the files
     * under any node_modules of its private home, whether the home has an npm cache, and (with
     * strace) every connect() of the CLI and its children.
     */
    private CliAgent watched(CliAgent agent, Path report) throws IOException {
        installed(agent);
        Files.createDirectories(report);
        Path wrapper = tmp.resolve("wrap-" + report.getFileName()).resolve(agent.name());
        Files.createDirectories(wrapper.getParent());
        Files.writeString(wrapper, """
                #!/bin/bash
                r='%s'
                if command -v strace >/dev/null; then
                  strace -f -qq -e trace=connect -e signal=none -o "$r/connects" '%s' "$@"; rc=$?
                else
                  '%2$s' "$@"; rc=$?
                fi
                find "$HOME" -path '*/node_modules/*' > "$r/installed"
                if [ -d "$HOME/.npm" ]; then echo present; else echo none; fi > "$r/npm-cache"
                exit $rc
                """.formatted(report, agent.binary().get()));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        CliSettings settings = settings().withBinary(agent.name(), wrapper);
        return agent instanceof OpencodeAgent ? new OpencodeAgent(settings) : new ContinueAgent(settings);
    }

    /** Every IPv4/IPv6 connect() went to loopback (no DNS lookup, no registry, no vendor); skipped without strace. */
    private static void assertOnlyLoopback(Path report) throws IOException {
        Path connects = report.resolve("connects");
        if (!Files.exists(connects)) {
            System.out.println("strace not installed: connect() addresses not checked");
            return;
        }
        List<String> elsewhere = new ArrayList<>();
        try (Stream<String> lines = Files.lines(connects)) {
            lines.filter(l -> l.contains("connect(")).forEach(line -> {
                Matcher m = INET.matcher(line);
                if (m.find() && !m.group(1).startsWith("127.") && !m.group(1).equals("::1") && !m.group(1).equals("::ffff:127.0.0.1")) {
                    elsewhere.add(line);
                }
            });
        }
        assertThat(elsewhere).as("connections to anything but loopback").isEmpty();
    }
}
