package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `agents`, `doctor` and `exec` with fake CLIs in the install cache: one answers its version check,
 * two answer too late. The late ones are "slow" (never "missing"), the answers that came are kept,
 * the builtin agent is reported regardless, answers are remembered between commands in the user's
 * cache folder, and exec runs a slow CLI with a warning instead of refusing it.
 */
class AgentDetectionCliTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Path clis;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 5)));
        server.localModels(java.util.List.of("local-scripted"));
        clis = dir.resolve("clis");
        script("claude", "echo run >> '" + dir.resolve("claude.runs") + "'\n[ \"$1\" = --version ] && echo '2.1.197 (Claude Code)'\n");
        // Slow to print a version, quick to fail when run as an agent.
        String slow = "[ \"$1\" = --version ] && { sleep 30; echo 1.0.0; exit 0; }\necho 'fake agent ran' >&2\nexit 1\n";
        script("codex", "echo run >> '" + dir.resolve("codex.runs") + "'\n" + slow);
        script("aider", slow);
        // PATH without the folders a developer's own CLIs may be in: only the fakes are found.
        env = Map.of("ENSEMBLE_AGENT_CLI_CACHE", clis.toString(), "XDG_CACHE_HOME", dir.resolve("cache").toString(),
                "ENSEMBLE_AGENT_VERSION_TIMEOUT", "1s", "PATH", "/usr/bin:/bin");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private void script(String name, String body) throws IOException {
        Path bin = clis.resolve("bin");
        Files.createDirectories(bin);
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private static JsonNode byName(JsonNode array, String field, String name) {
        for (JsonNode n : array) if (n.path(field).asString().equals(name)) return n;
        throw new AssertionError("no " + name + " in " + array);
    }

    @Test
    void agentsReportsALateCliAsSlowAndRemembersTheAnswersBetweenCommands() throws Exception {
        CliHarness.Run first = cli.run(env, "agents", "--json");
        CliHarness.Run second = cli.run(env, "agents", "--json");

        assertThat(first.exitCode()).as(first.all()).isZero();
        JsonNode agents = HttpTransport.JSON.readTree(first.out()).path("agents");
        JsonNode codex = byName(agents, "name", "codex");
        assertThat(codex.path("status").asString()).isEqualTo("slow");
        assertThat(codex.path("usable").asBoolean()).isTrue();
        assertThat(codex.path("reason").asString()).isEqualTo("slow: --version did not answer within 1 s");
        assertThat(codex.path("binary").asString()).isEqualTo(clis.resolve("bin/codex").toString());
        assertThat(byName(agents, "name", "claude").path("status").asString()).isEqualTo("ready");
        assertThat(byName(agents, "name", "claude").path("version").asString()).isEqualTo("2.1.197");
        assertThat(byName(agents, "name", "builtin").path("status").asString()).isEqualTo("ready");
        assertThat(byName(agents, "name", "gemini").path("status").asString()).isEqualTo("missing");

        JsonNode again = HttpTransport.JSON.readTree(second.out()).path("agents");
        assertThat(byName(again, "name", "claude")).isEqualTo(byName(agents, "name", "claude"));
        assertThat(byName(again, "name", "codex").path("status").asString()).isEqualTo("slow");
        assertThat(Files.readAllLines(dir.resolve("claude.runs"))).as("claude --version ran once for two commands").hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("codex.runs"))).as("the second command did not wait for codex again").hasSize(1);
        assertThat(dir.resolve("cache/ensemble/agents.json")).exists();

        CliHarness.Run table = cli.run(env, "agents");
        assertThat(table.out()).containsPattern("codex\\s+slow\\s").contains("slow: --version did not answer within 1 s")
                .doesNotContainPattern("codex\\s+missing");
    }

    @Test
    void doctorNamesTheSlowCliAsSlowAndStillReportsTheOthersAndTheBuiltinAgent() {
        CliHarness.Run run = cli.run(env, "doctor", "--json");

        JsonNode checks = HttpTransport.JSON.readTree(run.out()).path("checks");
        JsonNode codex = byName(checks, "name", "codex");
        assertThat(codex.path("status").asString()).isEqualTo("warn");
        assertThat(codex.path("detail").asString()).startsWith("slow: --version did not answer within 1 s");
        assertThat(byName(checks, "name", "claude").path("status").asString()).isEqualTo("ok");
        assertThat(byName(checks, "name", "claude").path("detail").asString()).startsWith("2.1.197");
        assertThat(byName(checks, "name", "builtin").path("status").asString()).isEqualTo("ok");
        assertThat(byName(checks, "name", "gemini").path("detail").asString()).isEqualTo("not installed");
        assertThat(run.out()).doesNotContain("did not finish");
    }

    @Test
    void execRunsACliThatIsSlowToAnswerWithAWarningInsteadOfRefusingIt() {
        CliHarness.Run run = cli.run(env, "exec", "--agent", "aider", "write a note");

        assertThat(run.err()).contains("warning: aider is slow: --version did not answer within 1 s; running it anyway");
        assertThat(run.err()).doesNotContain("cannot run here");
        // The fake aider fails as an agent: the work failed (1), not a refused precondition (2).
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.all()).contains("fake agent ran");
    }
}
