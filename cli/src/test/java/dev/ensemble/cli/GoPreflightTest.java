package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `go` does around its preconditions once they pass: a planning that fails is recorded as a
 * failed run (nothing to resume), and --apply, checked before planning, merges into the branch it
 * names at the end.
 */
class GoPreflightTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.localModels(List.of("local-scripted"));
        cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8)));
        cli.git("add", "ensemble.yaml");
        cli.git("commit", "-q", "-m", "config");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void aPlanningThatFailsLeavesAFailedRunNotOneToResume() {
        server.rule(Rule.fault(new Fault.HttpError(500)).named("planner down"));

        CliHarness.Run go = cli.run("go", "add the feature");

        assertThat(go.exitCode()).as(go.all()).isEqualTo(ExitCodes.FAILED);
        CliHarness.Run runs = cli.run("runs");
        assertThat(runs.out()).contains("failed").doesNotContain("planning");
        assertThat(runs.all()).doesNotContain("ensemble resume");
    }

    @Test
    void applyMergesIntoTheBranchItNames() throws Exception {
        String plan = "{\"specs\": [], \"tasks\": [{\"id\": \"a\", \"title\": \"write a\", \"kind\": \"coding\", \"files\": [\"src/a.py\"],"
                + " \"acceptance\": \"ok\"}]}";
        server.rule(Rule.text(plan).whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.py\",\"content\":\"a = 1\\n\"}"))
                .whenTools(true).whenToolResult(false).named("write"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));

        CliHarness.Run go = cli.run("go", "--apply", "add a");

        assertThat(go.exitCode()).as(go.all()).isZero();
        assertThat(go.err()).contains("into your branch main");
        assertThat(cli.git("show", "main:src/a.py")).isEqualTo("a = 1\n");
    }
}
