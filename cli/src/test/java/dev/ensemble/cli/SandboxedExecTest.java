package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.agents.process.Sandbox;
import dev.ensemble.agents.process.SandboxProbe;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.NoProcessLeft;
import dev.ensemble.testkit.SandboxRequirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code exec} under {@code policy.sandbox}: with {@code required} a fake Claude Code that tries
 * to write outside its worktree (a folder beside the build, the user's checkout) and to read
 * {@code ~/.ssh} (HOME pointed at a temp folder) fails to, while its write in the worktree lands;
 * with no mechanism, {@code required} is exit 2 before anything is written and {@code preferred}
 * warns once and runs.
 */
@ExtendWith(NoProcessLeft.class)
class SandboxedExecTest {
    @TempDir Path dir;
    CliHarness cli;
    Path outside;
    Path home;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
        // Outside /tmp (which the sandbox replaces with a private one): here only the read-only root stops a write.
        outside = Files.createDirectories(Path.of("target", "sandbox-e2e-" + System.nanoTime()).toAbsolutePath());
        home = Files.createDirectories(dir.resolve("home/.ssh"));
        Files.writeString(home.resolve("id_ed25519"), "PRIVATE-KEY-MATERIAL\n");
        Path fake = dir.resolve("bin/claude");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi
                echo '{"type":"system","subtype":"init","session_id":"sess-1","model":"x"}'
                echo inside > hello.txt
                echo escaped > 'OUTSIDE/escaped.txt' 2>/dev/null
                echo forged > 'REPO/README.md' 2>/dev/null
                echo planted > 'REPO/planted.txt' 2>/dev/null
                if cat 'SSH' > /dev/null 2>&1; then cat 'SSH' > stolen.txt; fi
                echo '{"type":"assistant","session_id":"sess-1","message":{"content":[{"type":"text","text":"Done."}]}}'
                echo '{"type":"result","subtype":"success","is_error":false,"result":"Done.","session_id":"sess-1","usage":{"input_tokens":10,"output_tokens":5}}'
                """.replace("OUTSIDE", outside.toString()).replace("REPO", cli.repo.toString())
                .replace("SSH", home.resolve("id_ed25519").toString()));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        cli.cliSettings = CliSettings.defaults().withBinary("claude", fake).withHomeRoot(dir.resolve("homes"))
                .withCacheDir(dir.resolve("no-cache")).withVersionTimeout(Duration.ofSeconds(20)).withKillGrace(Duration.ofMillis(300));
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> walk = Files.walk(outside)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void config(String mode) throws Exception {
        cli.repoConfig("""
                default_model: paid
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: anthropic, base_url: "http://127.0.0.1:9" }
                models:
                  paid: { provider: scripted, wire_name: paid-wire, family: test, context_window: 200000, max_output: 1024,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: 1, output: 1, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 8, benchmark: test } } }
                policy: { sandbox: MODE }
                """.replace("MODE", mode));
        cli.git("add", "ensemble.yaml");
        cli.git("commit", "-q", "-m", "config");
    }

    private CliHarness.Run exec() {
        return cli.run(Map.of("HOME", dir.resolve("home").toString(), "XDG_CONFIG_HOME", dir.resolve("home/.config").toString()),
                "exec", "--agent", "claude", "--json", "write hello.txt");
    }

    @Test
    void requiredConfinesTheAgentToItsWorktree() throws Exception {
        Sandbox here = SandboxProbe.detect();
        SandboxRequirement.require(here instanceof Sandbox.Bubblewrap, here.describe());
        config("required");
        CliHarness.Run run = exec();

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).doesNotContain("WARNING");
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        String branch = result.path("branch").asString();
        assertThat(cli.git("show", branch + ":hello.txt")).isEqualTo("inside\n");
        assertThat(cli.git("ls-tree", "-r", "--name-only", branch)).doesNotContain("stolen.txt").doesNotContain("planted.txt");
        assertThat(outside.resolve("escaped.txt")).doesNotExist();
        assertThat(cli.repo.resolve("README.md")).hasContent("# test repo");
        assertThat(cli.repo.resolve("planted.txt")).doesNotExist();
    }

    @Test
    void offLetsTheSameAgentDoAllOfIt() throws Exception {
        // The control: without the sandbox the same script does reach outside (the Enforcer then judges what git shows).
        config("'off'");
        CliHarness.Run run = exec();
        assertThat(outside.resolve("escaped.txt")).as(run.all()).exists();
        // ... and what it planted in the checkout is found by the attempt guard, moved out and reported, and rejects the attempt
        assertThat(cli.repo.resolve("planted.txt")).doesNotExist();
        assertThat(run.err()).contains("guard: ").contains("planted.txt");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void requiredWithoutAMechanismIsExitTwoBeforeAnythingIsWritten() throws Exception {
        config("required");
        cli.sandbox = new Sandbox.None("bwrap not found on PATH");
        String refsBefore = cli.git("for-each-ref");
        CliHarness.Run run = exec();
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("policy.sandbox is required").contains("bwrap not found on PATH");
        assertThat(cli.git("for-each-ref")).isEqualTo(refsBefore);
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();
        assertThat(cli.git("worktree", "list").lines()).hasSize(1);
    }

    @Test
    void preferredWithoutAMechanismWarnsOnceAndRuns() throws Exception {
        config("preferred");
        cli.sandbox = new Sandbox.None("bwrap not found on PATH");
        CliHarness.Run run = exec();
        // It runs unconfined (the agent wrote its file), and what it reached outside is judged afterwards: rejected.
        assertThat(run.out()).as(run.all()).contains("\"hello.txt\"");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err().split("WARNING: no OS sandbox", -1)).hasSize(2);
        assertThat(run.err()).contains("bwrap not found on PATH");
    }
}
