package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The words `runs`, `report` and `exec` use for how things ended: a failed run is "failed" (not
 * offered as an interrupted one to resume), a skipped task is "skipped" (not counted as failed), an
 * exec is a run of its own with a report, an agent that changed nothing while claiming success
 * exits 4 and says so, and `report --last` shows the newest run.
 */
class RunStatusWordsTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

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
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8)));
        server.localModels(List.of("local-scripted"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("write a"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).named("finish"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private Path plan(String json) throws Exception {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, json);
        return plan;
    }

    @Test
    void aTaskSkippedBecauseItsDependencyFailedIsCountedSkippedNotFailed() throws Exception {
        Path plan = plan("""
                {"request": "a then b", "tasks": [
                  {"id": "impl-a", "title": "A", "kind": "coding", "files": ["src/a.txt"], "acceptance": "a", "description": "MARK-A"},
                  {"id": "impl-b", "title": "B", "kind": "coding", "files": ["src/b.txt"], "depends_on": ["impl-a"],
                   "acceptance": "b", "description": "MARK-B"}]}""");
        CliHarness.Run run = cli.run("go", "--plan", plan.toString(), "--test-command", "false");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.out()).contains("0/2 tasks passed, 1 failed, 1 skipped");

        JsonNode row = HttpTransport.JSON.readTree(cli.run("runs", "--json").out()).get(0);
        assertThat(row.path("status").asString()).isEqualTo("failed");
        assertThat(row.path("failed").asInt()).isEqualTo(1);
        assertThat(row.path("skipped").asInt()).isEqualTo(1);
        CliHarness.Run report = cli.run("report", "--last");
        assertThat(report.exitCode()).as(report.all()).isZero();
        assertThat(report.out()).contains("0 passed, 1 failed, 1 skipped", "### impl-b (skipped)", "dependency impl-a failed");
        assertThat(HttpTransport.JSON.readTree(cli.run("report", "--last", "--json").out()).path("summary").path("skipped").asInt())
                .isEqualTo(1);
    }

    @Test
    void aRunWhosePlannerFailedIsListedFailedAndNotOfferedForResume() throws Exception {
        server.clearRules();
        server.rule(Rule.fault(new Fault.HttpError(500)).whenPrompt("^Request:").named("planner down"));
        CliHarness.Run run = cli.run("go", "add a");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);

        CliHarness.Run runs = cli.run("runs");
        assertThat(runs.out().lines().filter(l -> l.startsWith("run-")).findFirst().orElseThrow()).contains(" failed ");
        assertThat(runs.err()).doesNotContain("interrupted").doesNotContain("ensemble resume");
        CliHarness.Run report = cli.run("report", "--last");
        assertThat(report.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(report.err()).contains("(go) is failed and has no report");
        assertThat(cli.run("resume", "--last").err()).contains("ended without a plan");
    }

    @Test
    void aPlanNotApprovedIsListedNotStartedWithHowToRunIt() throws Exception {
        cli.repoConfig(Files.readString(cli.repo.resolve("ensemble.yaml"))
                .replace("local-scripted: { provider: scripted", "local-scripted: { provider: scripted")
                .replace("pricing: { input: 0, output: 0", "pricing: { input: 10, output: 10")
                + "budget: { approve_above_usd: 0.0001 }\n");
        Path plan = plan("""
                {"request": "just a", "tasks": [
                  {"id": "impl-a", "title": "A", "kind": "coding", "files": ["src/a.txt"], "acceptance": "a", "description": "MARK-A"}]}""");
        assertThat(cli.run("go", "--plan", plan.toString()).exitCode()).isEqualTo(ExitCodes.BAD_INPUT);

        CliHarness.Run runs = cli.run("runs");
        assertThat(runs.out().lines().filter(l -> l.startsWith("run-")).findFirst().orElseThrow()).contains("not started");
        assertThat(runs.err()).contains("--yes` runs it").doesNotContain("interrupted");
        assertThat(cli.run("report", "--last").err()).contains("is not started and has no report", "--yes");
    }

    @Test
    void anExecIsARunWithAReportAndAnAgentThatChangedNothingExitsFour() throws Exception {
        server.clearRules();
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"all done, nothing to change\"}")).whenTools(true));
        CliHarness.Run nothing = cli.run("exec", "--agent", "builtin", "tidy up");
        assertThat(nothing.exitCode()).as(nothing.all()).isEqualTo(ExitCodes.NO_CHANGE);
        assertThat(nothing.out()).contains("no change: builtin reported success but changed no file; nothing lands (exit 4)");

        server.clearRules();
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"wrote a\"}")).whenTools(true).whenToolResult(true));
        CliHarness.Run wrote = cli.run("exec", "--agent", "builtin", "--owns", "src/**", "--json", "write a");
        assertThat(wrote.exitCode()).as(wrote.all()).isZero();
        JsonNode result = HttpTransport.JSON.readTree(wrote.out());
        assertThat(result.path("outcome").asString()).isEqualTo("accepted");
        String execRun = result.path("run").asString();

        JsonNode runs = HttpTransport.JSON.readTree(cli.run("runs", "--json").out());
        assertThat(runs.size()).isEqualTo(2);
        assertThat(runs.get(0).path("run_id").asString()).isEqualTo(execRun);
        assertThat(runs.get(0).path("kind").asString()).isEqualTo("exec");
        assertThat(runs.get(0).path("status").asString()).isEqualTo("done");
        assertThat(runs.get(0).path("passed").asInt()).isEqualTo(1);
        assertThat(runs.get(1).path("status").asString()).isEqualTo("failed");
        assertThat(runs.get(1).path("failed").asInt()).isEqualTo(1);

        CliHarness.Run report = cli.run("report", execRun);
        assertThat(report.exitCode()).as(report.all()).isZero();
        assertThat(report.out()).contains("# ensemble run " + execRun, "1 passed, 0 failed", "src/a.txt", "local-scripted");
        CliHarness.Run first = cli.run("report", runs.get(1).path("run_id").asString());
        assertThat(first.out()).contains("reported success but changed no file");
        assertThat(cli.run("resume", execRun).err()).contains("is an `exec` run");
    }

    @Test
    void reportLastWithNoRunsIsBadInput() {
        CliHarness.Run none = cli.run("report", "--last");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(none.err()).contains("no runs yet");
        assertThat(cli.run("report").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
