package dev.ensemble.engine.orchestrate;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.RunBranch;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.core.plan.SpecFile;
import dev.ensemble.engine.io.AtomicFiles;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
import dev.ensemble.engine.report.TaskLine;
import dev.ensemble.engine.run.RunListener;
import dev.ensemble.engine.run.RunResult;
import dev.ensemble.engine.run.RunState;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.Scheduler;
import dev.ensemble.engine.run.SchedulerSettings;
import dev.ensemble.engine.run.TaskRecord;
import dev.ensemble.engine.store.AgentRunLog;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.OutcomeLog;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.ProviderGates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One request end to end, after planning: the specs land on the run branch first, the scheduler
 * runs the plan's DAG through {@link AgentTaskExecutor}, and the report is written. Every step is
 * in the store before it takes effect, so {@link #resume} picks up after a crash without redoing
 * accepted tasks. Every agent and reviewer exchange is kept under {@code .ensemble/sessions/<run>/}
 * ({@link SessionTranscripts}); a resumed attempt continues its file. The user's branch is never touched.
 */
public final class Orchestrator {

    /** What a finished (or resumed) run produced. */
    public record Outcome(RunResult result, RunReport report, Path reportMarkdown, String runBranch) {
        public boolean allPassed() {
            return report.tasks().stream().allMatch(t -> t.status() == TaskLine.Status.PASSED);
        }
    }

    private final Path repoRoot;
    private final Catalog catalog;
    private final WorkspaceManager workspaces;
    private final Enforcer enforcer;
    private final RunStore runs;
    private final Ledger ledger;
    private final SharedMemory memory;
    private final AgentRunLog agentRuns;
    private final OutcomeLog outcomes;
    private final AgentTaskExecutor.Assignment assignment;
    private final AgentTaskExecutor.JudgeFactory judges;
    private final SchedulerSettings schedulerSettings;
    private final Duration taskTimeout;
    private final RunListener listener;
    private final Function<String, AgentListener> agentEvents;
    private final SessionTranscripts transcripts;
    private final ProviderGates gates;
    private Optional<AgentGateway> gateway = Optional.empty();
    private Optional<dev.ensemble.engine.event.RunEvents> events = Optional.empty();

    /** Without provider concurrency limits. */
    public Orchestrator(Path repoRoot, Catalog catalog, Enforcer enforcer, RunStore runs, Ledger ledger, SharedMemory memory,
                        AgentTaskExecutor.Assignment assignment, AgentTaskExecutor.JudgeFactory judges,
                        SchedulerSettings schedulerSettings, Duration taskTimeout, RunListener listener,
                        Function<String, AgentListener> agentEvents) {
        this(repoRoot, catalog, enforcer, runs, ledger, memory, assignment, judges, schedulerSettings, taskTimeout, listener,
                agentEvents, ProviderGates.NONE);
    }

    /** @param gates the providers' max_concurrency, shared with the models' own calls ({@code ChatModels.gates()}) */
    public Orchestrator(Path repoRoot, Catalog catalog, Enforcer enforcer, RunStore runs, Ledger ledger, SharedMemory memory,
                        AgentTaskExecutor.Assignment assignment, AgentTaskExecutor.JudgeFactory judges,
                        SchedulerSettings schedulerSettings, Duration taskTimeout, RunListener listener,
                        Function<String, AgentListener> agentEvents, ProviderGates gates) {
        this.repoRoot = repoRoot;
        this.catalog = catalog;
        this.workspaces = new WorkspaceManager(repoRoot);
        this.enforcer = enforcer;
        this.runs = runs;
        this.ledger = ledger;
        this.memory = memory;
        this.agentRuns = new AgentRunLog(runs.store());
        this.outcomes = new OutcomeLog(runs.store());
        this.assignment = assignment;
        this.judges = judges;
        this.schedulerSettings = schedulerSettings;
        this.taskTimeout = taskTimeout;
        this.listener = listener;
        this.agentEvents = agentEvents;
        this.transcripts = SessionTranscripts.forRepository(repoRoot);
        this.gates = gates;
    }

    /** CLI agents talk through this gateway, each attempt with a key of its own ({@link AgentTaskExecutor#throughGateway}). */
    public Orchestrator throughGateway(AgentGateway through) {
        this.gateway = Optional.of(through);
        return this;
    }

    /** Every scheduler callback and agent action also goes to the run's event log (what the daemon's views follow). */
    public Orchestrator recordingEvents(dev.ensemble.engine.event.RunEvents recorder) {
        this.events = Optional.of(recorder);
        return this;
    }

    public static String runBranch(String runId) {
        return WorkspaceManager.runBranchName(runId);
    }

    /** Runs a validated plan from {@code baseRef} (usually HEAD). */
    /**
     * Runs a validated plan from {@code baseRef} (usually HEAD). The report's duration counts from
     * when the run was recorded (for `go`, before planning), not from the first dispatch.
     */
    public Outcome run(String runId, Plan plan, String baseRef) {
        if (!runs.exists(runId)) runs.create(runId, plan.request());
        RunState state = runs.load(runId);
        return failingTheRun(runId, () -> {
            // The plan is saved before the specs are written: a kill from here on leaves a run that
            // `resume` finishes with this plan (a plan saved earlier, e.g. by `go` before approval, stays).
            if (state.plan().isEmpty()) runs.savePlan(runId, plan);
            String base = Git.in(repoRoot).ok("rev-parse", "--verify", baseRef + "^{commit}");
            RunBranch branch = writeSpecs(runId, plan, base);
            RunResult result = scheduler(runId, plan, branch).resume(runId);
            return finish(runId, plan, result, earlier(state.createdAt(), Instant.now()));
        });
    }

    /** Continues a run after a crash or kill: accepted tasks stay accepted, interrupted ones run again. */
    public Outcome resume(String runId) {
        Instant started = Instant.now();
        RunState state = runs.load(runId);
        Plan plan = state.plan().orElseThrow(() -> new IllegalStateException(
                "run " + runId + " stopped while planning: nothing to resume; run the request again"));
        return failingTheRun(runId, () -> {
            // Stopped after the plan was saved but before the specs reached the run branch.
            RunBranch branch = writeSpecs(runId, plan, Git.in(repoRoot).ok("rev-parse", "--verify", "HEAD^{commit}"));
            RunResult result = scheduler(runId, plan, branch).resume(runId);
            return finish(runId, plan, result, earlier(state.createdAt(), started));
        });
    }

    /**
     * True when the failure is an interruption (Ctrl-C, a shutdown), which leaves a run to resume,
     * rather than an error, which ends it failed.
     */
    public static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) return true;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) return true;
            if (t instanceof dev.ensemble.llm.ModelException m && m.kind() == dev.ensemble.llm.ModelException.Kind.INTERRUPTED) return true;
        }
        return false;
    }

    /**
     * A run that stops on an error (not a kill, not an interruption) is marked failed before the
     * error goes on, so `ensemble runs` does not list it as interrupted. Its unfinished tasks stay
     * as they were: `ensemble resume` can still finish it once the cause is fixed.
     */
    private Outcome failingTheRun(String runId, java.util.function.Supplier<Outcome> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (!interrupted(e)) runs.markStatus(runId, RunStatus.FAILED);
            throw e;
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** What the tasks should cost at their routed assignment: shown (and approved) before the first dispatch. */
    public CostForecast forecast(List<PlanTask> tasks) {
        return assignment.forecast(tasks);
    }

    private Scheduler scheduler(String runId, Plan plan, RunBranch branch) {
        AgentTaskExecutor executor = new AgentTaskExecutor(plan, branch, workspaces, enforcer, assignment, judges,
                memory, agentRuns, outcomes, taskTimeout, taskId -> recordingSessions(runId, taskId, withEvents(runId, taskId)),
                ledger, transcripts, gates).throughGateway(gateway);
        return new Scheduler(runs, executor, schedulerSettings, events.map(e -> RunListener.both(listener, e)).orElse(listener));
    }

    private AgentListener withEvents(String runId, String taskId) {
        AgentListener printed = agentEvents.apply(taskId);
        if (events.isEmpty()) return printed;
        AgentListener recorded = events.get().forTask(runId, taskId);
        return event -> {
            printed.onEvent(event);
            recorded.onEvent(event);
        };
    }

    /** Stores an agent's session id the moment it is named, before passing the event on. */
    private AgentListener recordingSessions(String runId, String taskId, AgentListener next) {
        return event -> {
            if (event instanceof AgentEvent.Session session) runs.recordSession(runId, taskId, session.sessionId());
            next.onEvent(event);
        };
    }

    /**
     * Specs first: written by ensemble itself, and the run branch created at them (or at the base
     * when there are none), create-only: a branch of the run's name that ensemble did not record
     * making is refused, never built on. A resumed run gets the branch it recorded, checked.
     */
    private RunBranch writeSpecs(String runId, Plan plan, String base) {
        Optional<RunBranch> resumed = RunBranch.resume(repoRoot, runId);
        if (resumed.isPresent()) return resumed.get();
        if (plan.specs().isEmpty()) return RunBranch.create(repoRoot, runId, base);
        for (Workspace old : workspaces.list()) {
            if (old.runId().equals(runId) && old.taskId().equals("specs")) workspaces.remove(old);  // left by a kill
        }
        Workspace ws = workspaces.create(runId, "specs", base, List.of());
        try {
            for (SpecFile spec : plan.specs()) write(ws.directory().resolve(spec.path()), spec.content());
            ChangeSet specs = workspaces.commit(ws, "ensemble " + runId + ": specs for " + firstLine(plan.request()));
            return RunBranch.create(repoRoot, runId, specs.commit().orElse(base));
        } finally {
            workspaces.remove(ws);
        }
    }

    private Outcome finish(String runId, Plan plan, RunResult result, Instant started) {
        List<TaskLine> lines = new ArrayList<>();
        for (TaskRecord r : result.tasks()) {
            TaskLine.Status status = switch (r.status()) {
                case ACCEPTED -> TaskLine.Status.PASSED;
                case SKIPPED -> TaskLine.Status.SKIPPED;
                default -> TaskLine.Status.FAILED;
            };
            String title = plan.task(r.taskId()).map(t -> t.title()).orElse(r.taskId());
            lines.add(new TaskLine(r.taskId(), title, status, r.agent(), r.model(), tries(r),
                    r.reason(), r.files(), r.usage().inputTokens(), r.usage().outputTokens(), r.costUsd(), r.duration(),
                    status == TaskLine.Status.PASSED ? "" : r.reason()).withTranscripts(transcripts.filesOf(runId, r.taskId())));
        }
        RunReport report = RunReport.build(runId, started, Duration.between(started, Instant.now()), plan, lines, ledger, catalog);
        Path markdown = ReportWriter.forRepository(repoRoot).write(report);
        return new Outcome(result, report, markdown, runBranch(runId));
    }

    /** Tries made: the first model's, then one per fallback step (see {@link SchedulerSettings}). */
    private int tries(TaskRecord r) {
        return r.fallbackStep() == 0 ? r.attempt() : schedulerSettings.firstStepAttempts() + r.fallbackStep();
    }

    private static void write(Path file, String content) {
        try {
            AtomicFiles.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spec " + file + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(String text) {
        String line = dev.ensemble.core.Redactor.global().redact(text.strip().lines().findFirst().orElse(""));
        return line.length() > 80 ? line.substring(0, 80) + "…" : line;
    }
}
