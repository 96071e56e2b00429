package dev.ensemble.cli;

import dev.ensemble.core.config.Durations;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.engine.orchestrate.Orchestrator;
import dev.ensemble.engine.run.RunKind;
import dev.ensemble.engine.run.RunState;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.TaskRecord;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Finish a run that was interrupted.",
                "After a crash, a kill -9 or a closed terminal: accepted tasks are kept, interrupted ones run again, "
                        + "the rest go on; then the report is written. A run stopped while planning is planned again.",
                "Exit codes as for `go`."})
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "The run id (see `ensemble runs`); omit with --last.")
    String runId;

    @Option(names = "--last", description = "The newest run.")
    boolean last;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "20m", description = "Time limit per task attempt (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-y", "--yes"}, description = "Approve a forecast above the approve_above_usd budget limit without asking.")
    boolean yes;

    @Option(names = "--json", description = "Print the report as JSON (with --detach: the run id as JSON).")
    boolean json;

    @Option(names = "--detach", description = "Hand the run to the daemon (`ensemble serve`) and print its id at once.")
    boolean detach;

    @Override
    public Integer call() {
        AppContext app = main.app();
        // The sandbox's probe (one bwrap run) overlaps planning and the checks instead of the first launch.
        dev.ensemble.agents.process.SandboxProbe.prefetch();
        Duration limit;
        try {
            limit = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--timeout: " + e.getMessage());
        }
        if (detach) {
            if (last == (runId != null)) throw new UserInputException("give a run id, or --last");
            String id = runId;
            if (last) {
                if (!app.storeExists()) throw new UserInputException("no runs to resume in " + app.repoRoot());
                id = runId(new RunStore(app.store()));
            }
            return DaemonClient.detachResume(app, id, yes, timeout, json);
        }
        Preflight.repositoryWithCommit(app);
        // The run's sandbox, chosen before anything is written: policy.sandbox: required without one is exit 2 here.
        app.launcher();
        if (!app.storeExists()) {
            throw new UserInputException("no runs to resume in " + app.repoRoot() + " (ensemble has recorded nothing here): "
                    + "`ensemble go \"request\"` starts one");
        }
        RunStore runs = new RunStore(app.store());
        String id = runId(runs);
        RunState state = runs.load(id);
        if (state.kind() == RunKind.EXEC) {
            throw new UserInputException("run " + id + " is an `exec` run: one task through one agent is run again, not resumed");
        }
        if (state.plan().isEmpty()) {
            // `go` records the run before planning: a kill then leaves the request and no plan, so plan it again.
            if (state.status().finished()) throw new UserInputException("run " + id + " ended without a plan: run the request again");
            Planning planning = Preflight.planner(app, null, null, state.request(), yes);
            app.terminal().err().println(app.terminal().bold("run " + id) + ": stopped while planning; planning again");
            Plan plan = GoCommand.plan(app, planning, state.request(), id, runs);
            if (plan == null) return ExitCodes.FAILED;
            runs.savePlan(id, plan);
            state = runs.load(id);
        }
        Orchestrator orchestrator = GoCommand.orchestrator(app, limit, null, null, null, null);
        Optional<CostForecast> forecast = Optional.empty();
        // A run that stopped on an error is marked failed but may still have tasks to do.
        if (state.tasks().stream().anyMatch(t -> !t.status().finished())) {
            ModelErrors.requireAnyUsable(app);  // the tasks left need a model: none at all is exit 3, not a run of failures
            Plan plan = state.plan().orElseThrow();
            List<String> done = state.tasks().stream().filter(t -> t.status().finished()).map(TaskRecord::taskId).toList();
            List<PlanTask> remaining = plan.tasks().stream().filter(t -> !done.contains(t.id())).toList();
            forecast = Optional.of(orchestrator.forecast(remaining));
            Approval.forecast(app, id, "the rest of run " + id, forecast.get(), remaining.size(), yes, "pass --yes to approve");
            Approval.policy(app, id, remaining, yes, "pass --yes to approve");
        }
        Orchestrator.Outcome outcome;
        RunState resumed = state;
        List<PlanTask> unfinished = resumed.plan().map(p -> p.tasks()).orElse(List.of()).stream()
                .filter(t -> resumed.tasks().stream().noneMatch(r -> r.taskId().equals(t.id()) && r.status().finished())).toList();
        try (RunGateway.Attached gateway = RunGateway.attach(app, orchestrator, RunGateway.cliAgentsIn(app, Optional.empty(), unfinished))) {
            outcome = orchestrator.resume(id);
        } catch (IllegalStateException e) {
            throw new UserInputException(e.getMessage());
        }
        return GoCommand.finish(app, outcome, json, forecast);
    }

    private String runId(RunStore runs) {
        if (last == (runId != null)) throw new UserInputException("give a run id, or --last");
        if (runId != null) {
            if (!runs.exists(runId)) throw new UserInputException("no run '" + runId + "' in " + runs.store().description());
            return runId;
        }
        return runs.list().stream().filter(r -> r.kind() == RunKind.GO).findFirst().map(RunStore.RunInfo::runId)
                .orElseThrow(() -> new UserInputException("no runs in " + runs.store().description()));
    }
}
