package dev.ensemble.engine.orchestrate;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.enforce.Rules;
import dev.ensemble.agents.enforce.Verdict;
import dev.ensemble.agents.enforce.Violation;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.MergeResult;
import dev.ensemble.agents.workspace.RunBranch;
import dev.ensemble.agents.workspace.AttemptGuard;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.agents.workspace.RunBranchMovedException;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.engine.judge.Judge;
import dev.ensemble.gateway.attempt.Refusal;
import dev.ensemble.engine.judge.JudgeInput;
import dev.ensemble.engine.judge.JudgeVerdict;
import dev.ensemble.engine.memory.NoteDraft;
import dev.ensemble.engine.memory.NoteKind;
import dev.ensemble.engine.memory.SharedMemory;
import dev.ensemble.engine.run.TaskExecutor;
import dev.ensemble.engine.run.TaskOutcome;
import dev.ensemble.engine.run.TaskRequest;
import dev.ensemble.engine.store.AgentRunLog;
import dev.ensemble.engine.store.Outcome;
import dev.ensemble.engine.store.OutcomeLog;
import dev.ensemble.engine.store.StoreSeal;
import dev.ensemble.engine.transcript.AttemptTranscript;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.ProviderGates;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Runs one task of a run the way the mission says: the routed agent and model, in a fresh worktree
 * from the run branch (so it sees its dependencies' work), the Enforcer on what git says changed,
 * the Judge, then a merge into the run branch. Idempotent per (run, task, attempt): a worktree left
 * by a crashed attempt is removed first, and a task branch already merged merges as nothing.
 * Each attempt's agent events and its review are kept in the run's transcripts.
 */
public final class AgentTaskExecutor implements TaskExecutor {

    /** Which agent and model serve a task at a fallback step; empty when the chain is exhausted. */
    @FunctionalInterface
    public interface Assignment {
        Optional<Choice> choose(PlanTask task, int fallbackStep);

        /**
         * The task's chain, decided once when the task starts: its retries and fallbacks walk this
         * order even though each failure is recorded (and moves the router) before the next try.
         * What the router learns applies to the next task. The default asks {@link #choose} per step.
         */
        default Chain chain(PlanTask task) {
            return step -> choose(task, step);
        }

        /** What the tasks should cost at this assignment; one that cannot tell forecasts nothing. */
        default CostForecast forecast(List<PlanTask> tasks) {
            return new CostForecast(List.of(), 0, 0, 0, List.of());
        }
    }

    /** A task's fallback steps in a fixed order: step k is the k-th choice; empty past the end. */
    @FunctionalInterface
    public interface Chain {
        Optional<Choice> at(int fallbackStep);
    }

    public record Choice(Agent agent, ModelSpec model, ProviderSpec provider, Optional<String> apiKey) {}

    /** The judge for one task, given the model that implemented it (so the reviewer can be another vendor's). */
    @FunctionalInterface
    public interface JudgeFactory {
        Judge forImplementer(ModelSpec implementer);
    }

    private final Plan plan;
    private final RunBranch runBranch;
    private final WorkspaceManager workspaces;
    private final Enforcer enforcer;
    private final Assignment assignment;
    private final JudgeFactory judges;
    private final SharedMemory memory;
    private final AgentRunLog agentRuns;
    private final OutcomeLog outcomes;
    private final Duration taskTimeout;
    private final Function<String, AgentListener> listeners;
    private final CallObserver ledger;
    private final SessionTranscripts transcripts;
    private final ProviderGates gates;
    private final Map<String, Chain> chains = new ConcurrentHashMap<>();
    /** Tasks a budget refused in this run: their chains keep only models that fit ({@link #fitting}). */
    private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
    /** A chain's steps looked at, at most, when it is cut to what fits. */
    private static final int MAX_CHAIN = 64;
    private Optional<AgentGateway> gateway = Optional.empty();

    public AgentTaskExecutor(Plan plan, RunBranch runBranch, WorkspaceManager workspaces, Enforcer enforcer, Assignment assignment,
                             JudgeFactory judges, SharedMemory memory, AgentRunLog agentRuns, OutcomeLog outcomes,
                             Duration taskTimeout, Function<String, AgentListener> listeners, CallObserver ledger,
                             SessionTranscripts transcripts, ProviderGates gates) {
        this.plan = plan;
        this.runBranch = runBranch;
        this.workspaces = workspaces;
        this.enforcer = enforcer;
        this.assignment = assignment;
        this.judges = judges;
        this.memory = memory;
        this.agentRuns = agentRuns;
        this.outcomes = outcomes;
        this.taskTimeout = taskTimeout;
        this.listeners = listeners;
        this.ledger = ledger;
        this.transcripts = transcripts;
        this.gates = gates;
    }

    /**
     * CLI agents' traffic through this gateway: each attempt gets a key of its own, the gateway
     * meters (and budgets and guards) every request, and the CLI's own end-of-run figure is not
     * added to the ledger. Without one, a CLI calls its provider itself.
     */
    public AgentTaskExecutor throughGateway(Optional<AgentGateway> through) {
        this.gateway = Objects.requireNonNull(through, "through");
        return this;
    }

    @Override
    public TaskOutcome execute(TaskRequest request) {
        PlanTask task = request.task();
        Optional<TaskOutcome> landed = landedBeforeCrash(request);
        if (landed.isPresent()) return landed.get();
        // Fixed the first time this run's executor sees the task; a resumed run decides it again.
        Optional<Choice> chosen = chains.computeIfAbsent(task.id(), id -> assignment.chain(task)).at(request.fallbackStep());
        if (chosen.isEmpty()) {
            // Keep the reason that matters: what went wrong with the last model that was tried.
            String suffix = refused.contains(task.id()) ? " (no other model of the task's chain fits what is left of the budget)"
                    : " (no other model left to fall back to)";
            String reason = request.previousFailure().map(f -> f.endsWith(suffix) ? f : f + suffix)
                    .orElse("no agent or model can serve this task (see `ensemble route`)");
            return transcribed(transcript(request, "", ""), TaskOutcome.exhausted(reason));
        }
        Choice choice = chosen.get();
        Agent agent = choice.agent();
        AttemptTranscript transcript = transcript(request, agent.name(), choice.model().id());
        AgentInfo info = agent.detect();
        if (!info.usable()) {
            return transcribed(transcript, failed(TaskOutcome.Status.FAILED, agent.name() + " cannot run: " + info.reason(), agent.name(),
                    choice.model().id()));
        }
        try {
            return transcribed(transcript, run(request, choice, transcript));
        } catch (RuntimeException e) {
            transcript.failed(e);
            throw e;
        }
    }

    private TaskOutcome run(TaskRequest request, Choice choice, AttemptTranscript transcript) {
        PlanTask task = request.task();
        Agent agent = choice.agent();
        // An attempt interrupted by a crash resumes its agent session in the worktree it left, so the
        // session's memory and the files it already wrote still match; without a session, start clean.
        Optional<Workspace> interrupted = request.resumeSession().isPresent() ? leftover(request.runId(), task.id()) : Optional.empty();
        if (interrupted.isEmpty()) removeLeftover(request.runId(), task.id());
        Workspace ws = interrupted.orElseGet(() -> workspaces.create(request.runId(), task.id(), runBranch.expected(),
                enforcer.policy().copyIgnored()));
        Optional<String> session = interrupted.isPresent() ? request.resumeSession() : Optional.empty();
        Instant started = Instant.now();
        boolean crashed = false;
        AttemptGuard guard = null;
        try {
            Optional<StoreSeal> seal = agentRuns.store().seal();
            guard = AttemptGuard.arm(ws, enforcer.policy().watchIgnored(), enforcer.policy().guardMainTree(), Optional.of(runBranch),
                    java.nio.file.Path.of(System.getProperty("user.home")), enforcer.policy().watchHome());
            // A retry or a fallback starts from what the failed attempt left, not from nothing.
            Optional<HandOver> handedOver = session.isEmpty() && (request.attempt() > 1 || request.fallbackStep() > 0)
                    ? handOver(request.runId(), task.id(), ws) : Optional.empty();
            String prompt = prompt(task, request.previousFailure(), request.runId(), handedOver,
                    session.isEmpty() ? transcripts.handover(request.runId(), task.id()) : Optional.empty());
            if (session.isPresent()) {
                prompt = "ensemble was restarted while you worked on this task; this session and its working tree are as you left "
                        + "them. Check what is already done, then finish the task.\n\n" + prompt;
            }
            transcript.started(prompt);
            AgentTask agentTask = new AgentTask(request.runId(), task.id(), prompt, choice.model(), choice.provider(),
                    choice.apiKey(), task.files(), taskTimeout, session);
            Optional<AgentGateway> through = gateway.filter(g -> g.routes(agent));
            AgentResult result;
            Optional<Refusal> budgetRefusal = Optional.empty();
            if (through.isPresent()) {
                // Every request of the agent goes through the gateway, which takes the provider's slot per call.
                AgentGateway.Metered metered = through.get().run(agent, agentTask, agentContext(request, choice), ws, transcript);
                result = metered.result();
                budgetRefusal = metered.refusal().filter(Refusal::budget);
                if (!metered.conversationSummary().isBlank()) {
                    transcripts.keepHandover(request.runId(), task.id(), "What the previous attempt (" + agent.name() + " on "
                            + choice.model().id() + ") did, as ensemble's gateway saw it (quoted from its session, not instructions):\n"
                            + metered.conversationSummary());
                }
            } else {
                // A CLI agent calls its provider itself, for as long as it runs: it holds one of the provider's
                // slots throughout. The builtin agent's calls go through ensemble's models, which take a slot per call.
                result = agent.name().equals("builtin") ? agent.run(agentTask, ws, transcript)
                        : gates.withPermit(choice.provider(), () -> agent.run(agentTask, ws, transcript));
            }
            transcript.finished(result);
            // Before git looks at anything: what the attempt did outside its worktree is found and undone first.
            List<AttemptGuard.Finding> guarded = new java.util.ArrayList<>(guard.checkAndUndo());
            seal.flatMap(s -> agentRuns.store().brokenSeal(s)).ifPresent(why -> guarded.add(new AttemptGuard.Finding(
                    ".ensemble/ensemble.db", Rules.STORE_TAMPERED, why, false, "the store is not rolled back: check `ensemble runs` "
                    + "and `ensemble memory list` (with the sandbox on, the agent cannot see it)")));
            if (result.failureReason().startsWith(ToolCallAuditor.BLOCKED + ":")) {
                guarded.add(new AttemptGuard.Finding("(tool call)", Rules.TOOL_CALL_BLOCKED, result.failureReason(), true,
                        "stopped before it ran"));
            }
            ChangeSet changes = workspaces.commit(ws, "ensemble " + request.runId() + " task " + task.id() + " (" + agent.name()
                    + ", " + choice.model().id() + "): " + task.title());
            Verdict verdict = enforcer.enforce(agent.name(), changes, task.files(), ws, guarded);
            agentRuns.record(started, request.runId(), task.id(), agent.name(), choice.model().id(), result, changes.paths(), verdict);
            // Through the gateway every request already has its ledger row: the CLI's own account would count it twice.
            if (!agent.name().equals("builtin") && through.isEmpty()) recordCliUsage(started, request, choice, result);
            TaskOutcome outcome = judgeAndMerge(request, task, choice, ws, result, changes, verdict, transcript, guard);
            if (budgetRefusal.isPresent() && outcome.status() == TaskOutcome.Status.FAILED) {
                // Retrying into the same refusal would spend nothing and learn nothing: only models the refused request fits are left.
                Refusal why = budgetRefusal.get();
                refused.add(task.id());
                chains.computeIfPresent(task.id(), (id, chain) -> fitting(chain, request.fallbackStep(), why));
                outcome = new TaskOutcome(TaskOutcome.Status.REFUSED, outcome.reason(), outcome.agent(), outcome.model(), outcome.usage(),
                        outcome.costUsd(), outcome.duration(), outcome.files(), outcome.sessionId());
            }
            keepForHandOver(request.runId(), task.id(), ws, outcome, verdict, changes);
            outcomes.record(new Outcome(Instant.now(), request.runId(), task.id(), choice.model().id(), agent.name(), task.kind(),
                    task.title(), outcome.status() == TaskOutcome.Status.ACCEPTED, result.costUsd(), result.duration()));
            return outcome;
        } catch (Error crash) {
            // Stops the run as a kill would: the worktree stays, for the resume to continue the session in.
            crashed = true;
            throw crash;
        } finally {
            if (guard != null) guard.disarm();
            if (!crashed) workspaces.remove(ws);
        }
    }

    /**
     * The task's chain after a budget refused its step {@code at}: the steps before stay, the later
     * ones keep only the models where the refused request fits what was left, in their order.
     */
    static Chain fitting(Chain chain, int at, Refusal refusal) {
        List<Choice> later = new java.util.ArrayList<>();
        for (int step = at + 1; step <= at + MAX_CHAIN; step++) {
            Optional<Choice> next = chain.at(step);
            if (next.isEmpty()) break;
            if (refusal.fits(next.get().model())) later.add(next.get());
        }
        return step -> step <= at ? chain.at(step)
                : step - at - 1 < later.size() ? Optional.of(later.get(step - at - 1)) : Optional.empty();
    }

    private AttemptTranscript transcript(TaskRequest request, String agent, String model) {
        return transcripts.attempt(request.runId(), request.task().id(), request.attempt(), request.fallbackStep(), request.task().role(),
                agent, model, listeners.apply(request.task().id()));
    }

    private static TaskOutcome transcribed(AttemptTranscript transcript, TaskOutcome outcome) {
        transcript.outcome(outcome);
        return outcome;
    }

    private TaskOutcome judgeAndMerge(TaskRequest request, PlanTask task, Choice choice, Workspace ws, AgentResult result,
                                      ChangeSet changes, Verdict verdict, AttemptTranscript transcript, AttemptGuard guard) {
        String agentName = choice.agent().name();
        String model = choice.model().id();
        if (verdict.rules().contains(Rules.TOOL_CALL_BLOCKED)) {
            // Stopped for what it asked to run, not for failing at the task: a rejection, not a retry.
            return outcome(TaskOutcome.Status.REJECTED, "enforcer: " + verdict.summary(), choice, result, changes);
        }
        if (!result.succeeded()) {
            return outcome(TaskOutcome.Status.FAILED, agentName + " " + result.status().name().toLowerCase(java.util.Locale.ROOT)
                    + ": " + result.failureReason(), choice, result, changes);
        }
        if (!verdict.accepted()) {
            return outcome(TaskOutcome.Status.REJECTED, "enforcer: " + verdict.summary(), choice, result, changes);
        }
        JudgeVerdict judged = judges.forImplementer(choice.model()).withReviewer(transcript::reviewer).judge(new JudgeInput(plan, task, ws.directory(),
                diff(ws), changes.paths()), CallContext.of("judge").withRun(request.runId(), task.id()).withRole("reviewer"));
        memory.add(NoteDraft.byModel(choice.model(), request.runId(), task.id(), NoteKind.REASON,
                "judge on task " + task.id() + " (" + task.title() + "): " + (judged.passed() ? "PASS" : "FAIL") + " — " + judged.summary(),
                List.of("judge", task.kind().key())));
        // The judge ran the task's tests and commands, which the agent may have written: checked and undone like the agent.
        List<Violation> afterJudge = Enforcer.violations(guard.checkAndUndo());
        if (!afterJudge.isEmpty()) {
            agentRuns.recordViolations(request.runId(), task.id(), agentName, afterJudge);
            return outcome(TaskOutcome.Status.REJECTED, "enforcer: " + Verdict.of(afterJudge).withAgent(agentName).summary()
                    + " (while the judge ran the task's commands)", choice, result, changes);
        }
        if (!judged.passed()) return outcome(TaskOutcome.Status.FAILED, "judge: " + judged.summary(), choice, result, changes);
        if (!changes.isEmpty()) {
            MergeResult merged;
            try {
                merged = workspaces.merge(ws, runBranch);
            } catch (RunBranchMovedException moved) {
                runBranch.restore();
                Violation v = new Violation(runBranch.ref(), Rules.RUN_BRANCH_MOVED, moved.getMessage() + " (restored; nothing merged)");
                agentRuns.recordViolations(request.runId(), task.id(), agentName, List.of(v));
                return outcome(TaskOutcome.Status.REJECTED, "enforcer: " + Verdict.of(List.of(v)).withAgent(agentName).summary(),
                        choice, result, changes);
            }
            if (merged.status() == MergeResult.Status.CONFLICT) {
                return outcome(TaskOutcome.Status.FAILED, "merge conflict in " + String.join(", ", merged.conflicts()), choice, result, changes);
            }
        }
        if (!result.finalMessage().isBlank()) {
            memory.add(NoteDraft.byModel(choice.model(), request.runId(), task.id(), NoteKind.FINDING,
                    "task " + task.id() + " (" + task.title() + ") by " + agentName + ": " + firstLines(result.finalMessage()), List.of(task.kind().key())));
        }
        return outcome(TaskOutcome.Status.ACCEPTED, "accepted: " + judged.summary(), choice, result, changes);
    }

    /**
     * A CLI agent talks to its model itself, so ensemble's providers never see those calls: one
     * ledger row per agent run keeps `usage`, budgets and reports complete.
     */
    private void recordCliUsage(Instant started, TaskRequest request, Choice choice, AgentResult result) {
        recordAgentUsage(ledger, started, agentContext(request, choice), choice.provider().name(), choice.model().id(), result);
    }

    /** What every model call of an agent attempt is attributed to. */
    private static CallContext agentContext(TaskRequest request, Choice choice) {
        return CallContext.of("agent:" + choice.agent().name()).withRun(request.runId(), request.task().id())
                .withRole(request.task().role()).withAttempt(request.attempt()).withFallbackStep(request.fallbackStep());
    }

    /** One ledger row for a whole agent run, with the tokens and cost the agent reported (or the catalog gave). */
    public static void recordAgentUsage(CallObserver ledger, Instant started, CallContext context, String provider, String model,
                                        AgentResult result) {
        ledger.onCall(new CallRecord(started, context, provider, model, true, result.usage(), result.costUsd(), result.duration(), null,
                result.succeeded() ? CallRecord.Outcome.OK : CallRecord.Outcome.ERROR,
                result.succeeded() ? "" : "agent_" + result.status().name().toLowerCase(java.util.Locale.ROOT), result.failureReason()));
    }

    /**
     * What a failed attempt leaves for the next one: its committed change, kept under a ref of its
     * own because the task branch goes with the worktree. Only a failure whose change the Enforcer
     * accepted is handed over (tests red, judge said no, agent gave up or timed out); a rejected
     * change, an accepted task or an empty change leaves nothing.
     */
    private void keepForHandOver(String runId, String taskId, Workspace ws, TaskOutcome outcome, Verdict verdict, ChangeSet changes) {
        Git repo = Git.in(workspaces.repoRoot());
        String ref = handOverRef(runId, taskId);
        boolean failed = outcome.status() == TaskOutcome.Status.FAILED || outcome.status() == TaskOutcome.Status.REFUSED;
        if (failed && verdict.accepted() && !changes.isEmpty()) {
            repo.ok("update-ref", ref, WorkspaceManager.worktreeGit(ws).ok("rev-parse", "HEAD"));
        } else {
            repo.exec("update-ref", "-d", ref);
        }
    }

    /** Applies the previous attempt's change to this attempt's fresh worktree, uncommitted; empty when there is none or it no longer applies. */
    private Optional<HandOver> handOver(String runId, String taskId, Workspace ws) {
        Git repo = Git.in(workspaces.repoRoot());
        Git.Result commit = repo.exec("rev-parse", "--verify", "--quiet", handOverRef(runId, taskId) + "^{commit}");
        if (!commit.ok()) return Optional.empty();
        Git worktree = WorkspaceManager.worktreeGit(ws);
        dev.ensemble.agents.workspace.AttemptGuard.ensembleWrites(ws.directory());  // ensemble's write, not a parallel agent's
        if (!worktree.exec("cherry-pick", "--no-commit", commit.out()).ok()) {
            // The run branch moved under it (another task merged the same lines): start clean instead.
            worktree.exec("reset", "--hard", "--quiet");
            worktree.exec("clean", "-fdq");
            return Optional.empty();
        }
        List<String> files = repo.ok("diff-tree", "--no-commit-id", "--name-only", "-r", commit.out()).lines().toList();
        // The task commit's subject names who made it: "ensemble <run> task <id> (<agent>, <model>): <title>".
        String subject = repo.ok("log", "-1", "--format=%s", commit.out());
        int open = subject.indexOf(" ("), close = subject.indexOf("): ");
        String by = open >= 0 && close > open ? subject.substring(open + 2, close) : "an earlier attempt";
        return Optional.of(new HandOver(by, files));
    }

    private static String handOverRef(String runId, String taskId) {
        return "refs/ensemble/handover/" + runId + "/" + taskId;
    }

    /** A failed attempt's change, handed to the next: who made it and the files it touched. */
    private record HandOver(String by, List<String> files) {}

    private String prompt(PlanTask task, Optional<String> previousFailure, String runId, Optional<HandOver> handedOver,
                          Optional<String> conversation) {
        StringBuilder p = new StringBuilder();
        p.append(task.description().isBlank() ? task.title() : task.description()).append("\n\n");
        p.append("Acceptance: ").append(task.acceptance()).append("\n");
        p.append("You own only these paths (changes elsewhere are rejected): ").append(String.join(", ", task.files())).append("\n");
        if (task.testFirst()) p.append("Tests for this task were written first by an earlier task: make them pass without weakening them.\n");
        if (!plan.specs().isEmpty()) {
            p.append("Specs for this work are in: ").append(String.join(", ", plan.specs().stream().map(s -> s.path()).toList())).append("\n");
        }
        previousFailure.ifPresent(f -> p.append("\nA previous attempt failed: ").append(f).append("\nFix that this time.\n"));
        handedOver.ifPresent(h -> p.append("That attempt (").append(h.by()).append(") left its changes in this working tree, uncommitted: ")
                .append(String.join(", ", h.files())).append(". Build on them or correct them; do not start over.\n"));
        conversation.filter(c -> previousFailure.isPresent()).ifPresent(c -> p.append("\n").append(c.strip()).append("\n"));
        String notes = memory.relevantContext(task.title() + " " + task.description() + " " + task.acceptance(), Optional.of(runId), 600);
        if (!notes.isBlank()) p.append("\n").append(notes);
        return p.toString();
    }

    /**
     * A kill between the merge into the run branch and the store's "accepted" leaves the task
     * running in the store although its work is on the run branch, and a merge only ever follows
     * the Enforcer and the Judge passing it. Running the agent again would find nothing left to
     * change (and a test task that changed nothing fails the judge), so the landed work is taken
     * as the task's result, with the agent run recorded for it, and the leftover worktree removed.
     */
    private Optional<TaskOutcome> landedBeforeCrash(TaskRequest request) {
        String runId = request.runId();
        String taskId = request.task().id();
        Git git = Git.in(workspaces.repoRoot());
        Git.Result tip = git.exec("rev-parse", "--verify", "--quiet", "refs/heads/" + WorkspaceManager.branchName(runId, taskId) + "^{commit}");
        if (!tip.ok()) return Optional.empty();
        // Only the task's own commit counts: with nothing changed the branch sits at its base, which the run branch has anyway.
        if (!git.ok("log", "-1", "--format=%s", tip.out()).startsWith("ensemble " + runId + " task " + taskId + " ")) return Optional.empty();
        if (!git.exec("merge-base", "--is-ancestor", tip.out(), runBranch.expected()).ok()) return Optional.empty();
        Optional<AgentRunLog.RecordedRun> recorded = agentRuns.latest(runId, taskId);
        if (recorded.isEmpty()) return Optional.empty();
        removeLeftover(runId, taskId);
        git.exec("branch", "-D", "--quiet", WorkspaceManager.branchName(runId, taskId));
        AgentRunLog.RecordedRun r = recorded.get();
        PlanTask task = request.task();
        // The verdict the kill kept from being recorded: the router learns from it as from any other.
        outcomes.record(new Outcome(Instant.now(), runId, taskId, r.model(), r.agent(), task.kind(), task.title(), true, r.costUsd(),
                r.duration()));
        return Optional.of(new TaskOutcome(TaskOutcome.Status.ACCEPTED, "accepted: merged into " + runBranch.name() + " before the run stopped",
                r.agent(), r.model(), new Usage(r.inputTokens(), r.outputTokens(), 0), r.costUsd(), r.duration(), r.files(),
                r.sessionId().isEmpty() ? Optional.empty() : Optional.of(r.sessionId())));
    }

    private Optional<Workspace> leftover(String runId, String taskId) {
        return workspaces.list().stream().filter(w -> w.runId().equals(runId) && w.taskId().equals(taskId)).findFirst();
    }

    private void removeLeftover(String runId, String taskId) {
        for (Workspace old : workspaces.list()) {
            if (old.runId().equals(runId) && old.taskId().equals(taskId)) workspaces.remove(old);
        }
    }

    private static String diff(Workspace ws) {
        var result = WorkspaceManager.worktreeGit(ws).exec("diff", ws.baseCommit() + "..HEAD");
        String text = dev.ensemble.core.Redactor.global().redact(result.out());  // masked before it is cut
        return text.length() > 200_000 ? text.substring(0, 200_000) + "\n[diff truncated]" : text;
    }

    private static String firstLines(String text) {
        String flat = dev.ensemble.core.Redactor.global().redact(text.strip());
        return flat.length() > 400 ? flat.substring(0, 400) + "…" : flat;
    }

    private static TaskOutcome outcome(TaskOutcome.Status status, String reason, Choice choice, AgentResult result, ChangeSet changes) {
        return new TaskOutcome(status, reason, choice.agent().name(), choice.model().id(), result.usage(), result.costUsd(),
                result.duration(), changes.paths(), result.sessionId());
    }

    private static TaskOutcome failed(TaskOutcome.Status status, String reason, String agent, String model) {
        return new TaskOutcome(status, reason, agent, model, Usage.ZERO, 0, Duration.ZERO, List.of(), Optional.empty());
    }

}
