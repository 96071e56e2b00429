package dev.ensemble.cli;

import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
import dev.ensemble.engine.report.TaskLine;
import dev.ensemble.engine.run.RunKind;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An `exec` as a run: recorded in the store's runs beside `go`'s (kind exec), so `ensemble runs`
 * lists it with its outcome, and with a report of one task, so `ensemble report <run>` shows it.
 * An exec is run again rather than resumed: a kill leaves it listed as interrupted, nothing more.
 */
final class ExecRun {
    /** How an exec ended, as its exit status says. */
    enum Ending { ACCEPTED, NO_CHANGE, REJECTED, FAILED, CONFLICT }

    private final AppContext app;
    private final RunStore runs;
    private final String runId;
    private final Instant started;

    private ExecRun(AppContext app, RunStore runs, String runId, Instant started) {
        this.app = app;
        this.runs = runs;
        this.runId = runId;
        this.started = started;
    }

    /** Records the run as running: called once its worktree exists, just before the agent starts. */
    static ExecRun start(AppContext app, String runId, String prompt) {
        RunStore runs = new RunStore(app.store());
        runs.create(runId, prompt, RunKind.EXEC);
        runs.markStatus(runId, RunStatus.RUNNING);
        return new ExecRun(app, runs, runId, Instant.now());
    }

    /** Writes the one-task report and marks the run done (accepted) or failed; returns the report's path. */
    java.nio.file.Path finish(String prompt, String agent, ModelSpec model, TaskKind kind, List<String> owned, AgentResult result,
                              ChangeSet changes, Ending ending, String why) {
        String title = firstLine(prompt);
        PlanTask task = new PlanTask("task", title.isBlank() ? "exec" : title, kind, "implementer", Optional.of(agent),
                Optional.of(model.id()), owned, List.of(), "the enforcer accepts the change and it merges into the run branch", false,
                prompt);
        Plan plan = new Plan(prompt, List.of(), List.of(task));
        boolean passed = ending == Ending.ACCEPTED;
        TaskLine line = new TaskLine("task", task.title(), passed ? TaskLine.Status.PASSED : TaskLine.Status.FAILED, agent, model.id(),
                1, why, changes.paths(), result.usage().inputTokens(), result.usage().outputTokens(), result.costUsd(), result.duration(),
                passed ? "" : why);
        RunReport report = RunReport.build(runId, started, Duration.between(started, Instant.now()), plan, List.of(line), app.ledger(),
                app.config().catalog());
        java.nio.file.Path markdown = ReportWriter.forRepository(app.repoRoot()).write(report);
        runs.markStatus(runId, passed ? RunStatus.DONE : RunStatus.FAILED);
        return markdown;
    }

    /** The exec stopped on an error: failed, not left running (which `runs` would call interrupted). */
    void failed() {
        runs.markStatus(runId, RunStatus.FAILED);
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 120) + "…" : line;
    }
}
