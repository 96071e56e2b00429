package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.report.ModelCost;
import dev.ensemble.engine.report.ReportJson;
import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
import dev.ensemble.engine.report.Saving;
import dev.ensemble.engine.report.TaskLine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ensemble runs` and `ensemble report` read the report files: no scheduler, no store needed. */
class RunsAndReportCliTest {
    @TempDir Path dir;

    static RunReport report(String runId, Instant at, String request, TaskLine.Status second) {
        Plan plan = new Plan(request, List.of(), List.of(
                new PlanTask("a", "First", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), List.of("a.txt"),
                        List.of(), "a exists", false, "write a"),
                new PlanTask("b", "Second", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), List.of("b.txt"),
                        List.of("a"), "b exists", false, "write b")));
        List<TaskLine> tasks = List.of(
                new TaskLine("a", "First", TaskLine.Status.PASSED, "builtin", "cheap", 1, "PASS", List.of("a.txt"), 100, 20, 0.001,
                        Duration.ofSeconds(2), ""),
                new TaskLine("b", "Second", second, "builtin", "cheap", 2, "FAIL: review", List.of("b.txt"), 300, 40, 0.0025,
                        Duration.ofSeconds(5), second == TaskLine.Status.PASSED ? "" : "review: b.txt is empty"));
        return new RunReport(runId, at, Duration.ofSeconds(9), request, plan, tasks,
                List.of(new ModelCost("cheap", 3, 0, 400, 60, 0, 0.0035)), 3, 400, 60, 0, 0.0035,
                Optional.of(new Saving("premium", 0.0035, 0.035, 90.0)));
    }

    @Test
    void runsListsTheReportsNewestFirstAndReportPrintsOne() throws Exception {
        CliHarness cli = new CliHarness(dir);
        assertThat(cli.run("runs").out()).contains("No runs yet");

        ReportWriter writer = ReportWriter.forRepository(cli.repo);
        writer.write(report("run-1", Instant.parse("2026-11-20T09:00:00Z"), "add a greeting", TaskLine.Status.FAILED));
        writer.write(report("run-2", Instant.parse("2026-11-21T09:00:00Z"), "add a farewell", TaskLine.Status.PASSED));

        CliHarness.Run runs = cli.run("runs");
        assertThat(runs.exitCode()).as(runs.all()).isZero();
        assertThat(runs.out()).contains("RUN", "run-1", "run-2", "add a greeting", "2026-11-20 09:00:00Z");
        assertThat(runs.out().indexOf("run-2")).isLessThan(runs.out().indexOf("run-1"));
        assertThat(runs.out().lines().filter(l -> l.startsWith("run-1")).findFirst().orElseThrow()).containsPattern("failed\\s+1\\s+1\\s+0\\s+\\$");

        CliHarness.Run json = cli.run("runs", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"run_id\" : \"run-2\"", "\"failed\" : 1", "\"request\" : \"add a greeting\"");

        CliHarness.Run md = cli.run("report", "run-1");
        assertThat(md.exitCode()).as(md.all()).isZero();
        assertThat(md.out()).contains("# ensemble run run-1", "1 passed, 1 failed", "Saving versus all-premium (premium", "90.0%",
                "### b (failed)", "review: b.txt is empty");

        CliHarness.Run asJson = cli.run("report", "run-1", "--json");
        assertThat(asJson.exitCode()).isZero();
        assertThat(ReportJson.read(asJson.out())).isEqualTo(report("run-1", Instant.parse("2026-11-20T09:00:00Z"), "add a greeting",
                TaskLine.Status.FAILED));
    }

    @Test
    void anInterruptedRunIsListedFromTheStoreWithHowToFinishIt() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (var store = dev.ensemble.engine.store.Store.open(dev.ensemble.core.config.StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            var runs = new dev.ensemble.engine.run.RunStore(store);
            runs.create("run-9", "add a greeting");
            runs.markStatus("run-9", dev.ensemble.engine.run.RunStatus.RUNNING);
        }

        CliHarness.Run list = cli.run("runs");

        assertThat(list.exitCode()).as(list.all()).isZero();
        assertThat(list.out().lines().filter(l -> l.startsWith("run-9")).findFirst().orElseThrow())
                .containsPattern("go\\s.*running\\s+-\\s+-\\s+-\\s+-\\s+add a greeting");
        assertThat(list.err()).contains("ensemble resume run-9");
        assertThat(cli.run("runs", "--json").out()).contains("\"status\" : \"running\"");
    }

    @Test
    void anUnknownRunIsBadInput() throws Exception {
        CliHarness cli = new CliHarness(dir);
        CliHarness.Run missing = cli.run("report", "run-404");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).contains("no report for run 'run-404'");
        CliHarness.Run escape = cli.run("report", "../../etc/passwd");
        assertThat(escape.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(escape.err()).contains("not a run id");
    }
}
