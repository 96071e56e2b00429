package dev.ensemble.cli;

import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.Durations;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.engine.judge.Judge;
import dev.ensemble.engine.judge.JudgeSettings;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.engine.orchestrate.Orchestrator;
import dev.ensemble.engine.orchestrate.RoutedAssignment;
import dev.ensemble.engine.plan.PlanRejectedException;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.report.TaskLine;
import dev.ensemble.engine.run.RunListener;
import dev.ensemble.engine.run.RunResult;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.SchedulerSettings;
import dev.ensemble.engine.run.TaskRecord;
import dev.ensemble.engine.store.StoreEvidence;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ModelAvailability;
import dev.ensemble.llm.http.HttpTransport;
import tools.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "go", mixinStandardHelpOptions = true,
        description = {"Plan a request and carry it out with a team of agents.",
                "Plans the request (specs first, then tasks with exclusive files and dependencies), runs the tasks in "
                        + "parallel through routed agents, each in its own worktree, enforces ownership, judges, merges "
                        + "accepted work into the run branch ensemble/<run>/_run and writes a report. Your branch is "
                        + "touched only with --apply.",
                "Exit 0 when every task passed, 1 when any failed, 2 bad input."})
final class GoCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REQUEST", description = "What you want done (omit with --plan).")
    String request;

    @Option(names = "--plan", paramLabel = "FILE", description = "Run this plan (JSON, as `ensemble plan --json` prints it) instead of planning.")
    Path planFile;

    @Option(names = "--agent", paramLabel = "A", description = "Agent for tasks without a hint in the plan (default: builtin).")
    String agent;

    @Option(names = "--model", paramLabel = "M", description = "Model or alias tried first for tasks without a hint (default: routed per task).")
    String model;

    @Option(names = "--planner", paramLabel = "M", description = "The planner's model or alias (default: the planner role's, else default_model).")
    String plannerModel;

    @Option(names = "--parallel", paramLabel = "N", description = "Tasks at once (default: 4, or the number of CPUs if fewer).")
    Integer parallel;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "20m", description = "Time limit per task attempt (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--test-command", paramLabel = "CMD", description = "The judge's test command (default: detected: mvn, gradle, npm, pytest, go, cargo).")
    String testCommand;

    @Option(names = "--apply", description = "At the end, merge the run branch into your current branch (only if every task passed and your tree is clean).")
    boolean apply;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = {"-y", "--yes"}, description = "Approve a forecast above the approve_above_usd budget limit without asking.")
    boolean yes;

    @Option(names = "--detach", description = "Hand the run to the daemon (`ensemble serve`) and print its id at once; "
            + "`ensemble attach <run>` follows it, `ensemble cancel <run>` stops it.")
    boolean detach;

    /** The id the daemon gave the run it accepted (so that it could answer with it at once). */
    @Option(names = "--run-id", hidden = true, paramLabel = "ID")
    String givenRunId;

    @Override
    public Integer call() throws IOException {
        AppContext app = main.app();
        // The sandbox's probe (one bwrap run) overlaps planning and the checks instead of the first launch.
        dev.ensemble.agents.process.SandboxProbe.prefetch();
        Terminal term = app.terminal();
        if (planFile == null && (request == null || request.isBlank())) throw new UserInputException("give a request, or --plan FILE");
        Duration limit;
        try {
            limit = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--timeout: " + e.getMessage());
        }
        if (parallel != null && parallel < 1) throw new UserInputException("--parallel must be at least 1");
        if (givenRunId != null && !RunIds.valid(givenRunId)) throw new UserInputException("--run-id: not a run id: " + givenRunId);
        if (detach) return DaemonClient.detachGo(app, this);
        if (agent != null && app.agents().byName(agent).isEmpty()) {
            throw new UserInputException("unknown agent '" + agent + "' (known: " + String.join(", ", app.agents().names()) + ")");
        }
        if (model != null) {
            try {
                app.config().catalog().resolve(model);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
        }
        // Everything that can be known before the run starts is checked before it is recorded.
        Preflight.repositoryWithCommit(app);
        // The run's sandbox, chosen before anything is written: policy.sandbox: required without one is exit 2 here.
        app.launcher();
        if (apply) Preflight.applicable(app.repoRoot());
        Plan filePlan = planFile == null ? null : Preflight.planFile(app, planFile, request);
        // A valid plan and no model at all: exit 3, not a run of failed tasks.
        if (filePlan != null) ModelErrors.requireAnyUsable(app);
        Planning planning = planFile == null ? Preflight.planner(app, plannerModel, null, request, yes) : null;
        String runId = givenRunId != null ? givenRunId : RunIds.next();
        RunStore runs = new RunStore(app.store());
        Plan plan;
        if (filePlan != null) {
            plan = filePlan;
        } else {
            // Recorded before the planner starts: a kill while it works leaves a run that `resume` plans again.
            runs.create(runId, request);
            runs.markStatus(runId, RunStatus.PLANNING);
            term.err().println(term.bold("run " + runId) + ": planning");
            plan = plan(app, planning, request, runId, runs);
            if (plan == null) return ExitCodes.FAILED;
        }
        term.err().println(term.bold("run " + runId) + ": " + plan.specs().size() + " spec(s), " + plan.tasks().size() + " task(s); run branch "
                + Orchestrator.runBranch(runId));
        Orchestrator orchestrator = orchestrator(app, limit, agent, model, parallel, testCommand);
        // The plan is saved before the forecast, so a run not approved now can be resumed with --yes.
        if (!runs.exists(runId)) runs.create(runId, plan.request());
        runs.savePlan(runId, plan);
        CostForecast forecast = orchestrator.forecast(plan.tasks());
        String howToApprove = "pass --yes to approve (`ensemble resume " + runId + " --yes` runs this plan)";
        Approval.forecast(app, runId, "run " + runId, forecast, plan.tasks().size(), yes, howToApprove);
        Approval.policy(app, runId, plan.tasks(), yes, howToApprove);
        Orchestrator.Outcome outcome;
        try (RunGateway.Attached gateway = RunGateway.attach(app, orchestrator,
                RunGateway.cliAgentsIn(app, Optional.ofNullable(agent), plan.tasks()))) {
            outcome = orchestrator.run(runId, plan, "HEAD");
        }
        int code = finish(app, outcome, json, Optional.of(forecast));
        if (apply) code = apply(app, outcome, code);
        return code;
    }

    /** --apply: merge the run branch into the user's branch, only when everything passed and nothing is uncommitted. */
    private static int apply(AppContext app, Orchestrator.Outcome outcome, int code) {
        Terminal term = app.terminal();
        if (code != ExitCodes.OK) {
            term.err().println(term.yellow("--apply skipped: not every task passed; the run branch " + outcome.runBranch() + " has what did"));
            return code;
        }
        Git git = Git.in(app.repoRoot());
        // Checked before planning too (Preflight.applicable); the user may have moved since.
        Git.Result branch = git.exec("symbolic-ref", "--quiet", "--short", "HEAD");
        if (!branch.ok()) {
            term.err().println(term.yellow("--apply skipped: HEAD is detached now; `git switch <branch>` and `git merge "
                    + outcome.runBranch() + "` to take the run"));
            return ExitCodes.FAILED;
        }
        if (!git.ok("status", "--porcelain", "--untracked-files=no").isBlank()) {
            term.err().println(term.yellow("--apply skipped: your working tree has uncommitted changes; `git merge "
                    + outcome.runBranch() + "` when ready"));
            return ExitCodes.FAILED;
        }
        Approval.applied(app, outcome.result().runId(), outcome.runBranch(), branch.out());
        Git.Result merged = git.exec("merge", "--no-edit", outcome.runBranch());
        if (!merged.ok()) {
            git.exec("merge", "--abort");
            term.err().println(term.red("--apply failed") + ": " + merged.stderr().strip() + " (your branch is unchanged)");
            return ExitCodes.FAILED;
        }
        term.err().println(term.green("applied") + ": merged " + outcome.runBranch() + " into your branch " + branch.out());
        return ExitCodes.OK;
    }

    /** @param forecast what was forecast for the tasks this command dispatched, shown beside what they cost */
    static int finish(AppContext app, Orchestrator.Outcome outcome, boolean json, Optional<CostForecast> forecast) {
        Terminal term = app.terminal();
        var report = outcome.report();
        long passed = report.tasks().stream().filter(t -> t.status() == TaskLine.Status.PASSED).count();
        if (json) {
            ObjectNode root = (ObjectNode) HttpTransport.JSON.readTree(dev.ensemble.engine.report.ReportJson.write(report));
            forecast.ifPresent(f -> root.putObject("forecast").put("min_usd", f.minUsd()).put("expected_usd", f.expectedUsd())
                    .put("max_usd", f.maxUsd()));
            term.printJson(root);
        } else {
            Table table = new Table("task", "result", "agent", "model", "attempts", "cost", "why");
            for (TaskLine t : report.tasks()) {
                String result = switch (t.status()) {
                    case PASSED -> term.green("passed");
                    case FAILED -> term.red("failed");
                    case SKIPPED -> term.yellow("skipped");
                };
                table.row(t.id(), result, t.agent(), t.model(), t.attempts(), Format.usd(t.costUsd()),
                        t.status() == TaskLine.Status.PASSED ? "" : shorten(t.failureReason()));
            }
            term.out().print(table.render());
            term.out().println(passed + "/" + report.tasks().size() + " tasks passed"
                    + (report.failed() > 0 ? ", " + report.failed() + " failed" : "")
                    + (report.skipped() > 0 ? ", " + report.skipped() + " skipped (a dependency did not pass)" : "")
                    + " · report " + outcome.reportMarkdown()
                    + " · run branch " + outcome.runBranch());
        }
        return outcome.allPassed() ? ExitCodes.OK : ExitCodes.FAILED;
    }


    /**
     * The planner's plan for the request (its calls carry the run id; its exchange is transcribed
     * under the run), or null when it was rejected (said on stderr). A rejected plan or a failed
     * planner call marks the run failed, so `runs` does not offer to resume it as if it had been
     * interrupted; an interruption leaves it planning.
     */
    static Plan plan(AppContext app, Planning planning, String request, String runId, RunStore runs) {
        Terminal term = app.terminal();
        term.err().println(term.dim("planning with " + planning.name() + " (repository pack "
                + Format.tokens(planning.pack().tokens()) + " tokens)…"));
        try {
            Planner.Planned planned = planning.plan(request, runId, SessionTranscripts.forRepository(app.repoRoot()));
            term.err().println(term.dim(Planning.describe(app, planned)));
            return planned.plan();
        } catch (PlanRejectedException e) {
            runs.markStatus(runId, RunStatus.FAILED);
            term.err().println(term.red("ensemble: the plan was rejected") + " (after one repair turn; nothing was done):");
            for (PlanProblem problem : e.problems()) term.err().println("  " + problem);
            return null;
        } catch (RuntimeException e) {
            if (!Orchestrator.interrupted(e)) runs.markStatus(runId, RunStatus.FAILED);
            throw e;
        }
    }

    static Orchestrator orchestrator(AppContext app, Duration taskTimeout, String agent, String model, Integer parallel, String testCommand) {
        Terminal term = app.terminal();
        Catalog catalog = app.config().catalog();
        RoutingSettings routing = app.routing();
        Router router = new Router(catalog.models().values(), routing, new StoreEvidence(app.store()));
        // Asked once per model for the whole run: a key check may start `pass` or `security`, and
        // every task (and every task's reviewer) needs the same answers.
        Map<String, ModelAvailability> checked = new ConcurrentHashMap<>();
        Function<ModelSpec, ModelAvailability> availability = spec -> checked.computeIfAbsent(spec.id(), id -> app.models().availability(spec));
        RoutedAssignment assignment = new RoutedAssignment(catalog, router, app.agents(), availability,
                ref -> app.secrets().resolve(ref), Optional.ofNullable(agent), Optional.ofNullable(model), app.config().localOnly())
                .throughGateway(info -> RunGateway.drivable(app, info));
        JudgeSettings judgeSettings = JudgeSettings.defaults().withLauncher(app.launcher());
        if (testCommand != null) judgeSettings = judgeSettings.withTestCommand(testCommand);
        JudgeSettings judging = judgeSettings;
        SchedulerSettings scheduling = parallel == null ? SchedulerSettings.DEFAULT : SchedulerSettings.DEFAULT.withParallelism(parallel);
        return orchestrator(app, taskTimeout, assignment, scheduling, judging, router, availability);
    }

    /** The orchestrator of a run whose tasks get their agents and models from {@code assignment}. */
    static Orchestrator orchestrator(AppContext app, Duration taskTimeout, dev.ensemble.engine.orchestrate.AgentTaskExecutor.Assignment assignment,
                                     SchedulerSettings scheduling, JudgeSettings judging, Router router,
                                     Function<ModelSpec, ModelAvailability> availability) {
        Terminal term = app.terminal();
        Catalog catalog = app.config().catalog();
        return new Orchestrator(app.repoRoot(), catalog, new Enforcer(ExecCommand.policy(app)), new RunStore(app.store()),
                app.ledger(), new SharedMemory(app.store()), assignment,
                implementer -> new Judge(judging, reviewer(app, router, availability, implementer)), scheduling, taskTimeout,
                new Progress(term), taskId -> AgentEventPrinter.forTask(term, taskId), app.models().gates())
                .recordingEvents(app.runEvents());
    }

    /** A reviewer from another vendor than the implementer where one is usable; else the implementer's own model. */
    private static Optional<ChatModel> reviewer(AppContext app, Router router, Function<ModelSpec, ModelAvailability> availability,
                                                ModelSpec implementer) {
        Catalog catalog = app.config().catalog();
        Constraints constraints = Constraints.NONE.withLocalOnly(app.config().localOnly());
        for (ModelSpec m : catalog.models().values()) {
            var a = availability.apply(m);
            if (!a.usable()) constraints = constraints.withUnavailable(m.id(), a.reason());
        }
        List<Candidate> ranked = router.route(new RouteRequest("review the diff", TaskKind.REVIEW, 8_000, 1_000, constraints)).candidates();
        Optional<ModelSpec> other = ranked.stream().map(Candidate::model).filter(m -> !m.family().equals(implementer.family())).findFirst();
        ModelSpec chosen = other.or(() -> ranked.stream().map(Candidate::model).findFirst()).orElse(implementer);
        return Optional.of(app.models().model(chosen));
    }

    private static String shorten(String s) {
        String flat = s == null ? "" : s.replaceAll("\\s+", " ");
        return flat.length() > 90 ? flat.substring(0, 90) + "…" : flat;
    }

    /** The run's progress, one line per event on stderr. */
    static final class Progress implements RunListener {
        private final Terminal term;

        Progress(Terminal term) {
            this.term = term;
        }

        @Override public void taskStarted(String runId, PlanTask task, int attempt, int fallbackStep) {
            term.err().println(term.cyan("▶ " + task.id()) + " " + task.title()
                    + (attempt > 1 || fallbackStep > 0 ? term.dim(" (attempt " + attempt + ", fallback step " + fallbackStep + ")") : ""));
        }

        @Override public void taskRetrying(String runId, TaskRecord failed) {
            term.err().println(term.yellow("↻ " + failed.taskId()) + " " + shorten(failed.reason()));
        }

        @Override public void taskFinished(String runId, TaskRecord task) {
            boolean ok = task.status() == dev.ensemble.engine.run.TaskStatus.ACCEPTED;
            term.err().println((ok ? term.green("✓ ") : term.red("✗ ")) + task.taskId() + " " + task.agent() + "/" + task.model()
                    + (ok ? "" : ": " + shorten(task.reason())));
        }

        @Override public void taskSkipped(String runId, TaskRecord task) {
            term.err().println(term.yellow("– " + task.taskId()) + " skipped: " + task.reason());
        }

        @Override public void runFinished(RunResult result) {
            term.err().println(term.dim("run " + result.runId() + " " + result.status().name().toLowerCase(Locale.ROOT)));
        }
    }
}
