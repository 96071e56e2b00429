package dev.ensemble.cli;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.enforce.Policy;
import dev.ensemble.agents.enforce.Verdict;
import dev.ensemble.agents.enforce.Violation;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.MergeResult;
import dev.ensemble.agents.workspace.AttemptGuard;
import dev.ensemble.agents.workspace.RunBranch;
import dev.ensemble.agents.workspace.RunBranchMovedException;
import dev.ensemble.agents.enforce.Rules;
import dev.ensemble.agents.enforce.Violation;
import dev.ensemble.engine.store.StoreSeal;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.config.Durations;
import dev.ensemble.core.routing.Classifier;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.engine.orchestrate.AgentTaskExecutor;
import dev.ensemble.engine.store.AgentRunLog;
import dev.ensemble.engine.store.Outcome;
import dev.ensemble.engine.store.OutcomeLog;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.http.HttpTransport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run one task through one coding agent in its own worktree.",
                "Shows the agent's events live, enforces file ownership on what it changed (from git, whatever the agent "
                        + "says) and merges an accepted change into the run branch ensemble/<run>/_run. Your own branch and "
                        + "working tree are never touched.",
                "Exit 0 accepted, 1 the agent failed or the change was rejected, 2 bad input, 3 no usable model, "
                        + "4 the agent reported success but changed nothing. Listed by `ensemble runs`; `ensemble report <run>` shows it."})
final class ExecCommand implements Callable<Integer> {
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("'exec-'yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "TASK", description = "What the agent should do.")
    String prompt;

    @Option(names = "--agent", required = true, paramLabel = "A", description = "claude, codex, opencode, gemini, qwen, cn, aider or builtin (see `ensemble agents`).")
    String agentName;

    @Option(names = "--model", paramLabel = "M", description = "Model id or alias; the first model of an alias that the agent can drive and that is usable now. "
            + "Default: the same from default_model, else the router's pick among the usable models the agent can drive.")
    String model;

    @Option(names = "--owns", paramLabel = "GLOB", split = ",",
            description = "Paths or globs the task may change (repeatable). Default: the whole repository except protected paths.")
    List<String> owns = new ArrayList<>();

    @Option(names = "--base", paramLabel = "REF", defaultValue = "HEAD", description = "Commit the worktree starts from (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "20m", description = "Time limit; then the agent's whole process tree is killed (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--keep", description = "Keep the worktree (and task branch) afterwards, to look at it.")
    boolean keep;

    @Option(names = "--json", description = "Print the result as JSON (events go to stderr).")
    boolean json;

    @Option(names = "--local", description = "Only local models (as `ensemble --local exec`): a cloud-only agent must be pointed at a local model.")
    boolean local;

    @Option(names = {"-y", "--yes"}, description = "Approve a forecast above the approve_above_usd budget limit without asking.")
    boolean yes;

    /**
     * Input assumed for the forecast besides the prompt: the files and tool output an agent reads
     * in a turn. The forecast is one turn of the model at its maximum output; a session of many
     * turns costs more, which the budget guard on each model call then bounds.
     */
    static final long FORECAST_CONTEXT_TOKENS = 8_000;

    @Override
    public Integer call() {
        AppContext app = main.app();
        // The sandbox's probe runs while the preflight, config and worktree work below do.
        dev.ensemble.agents.process.SandboxProbe.prefetch();
        if (local) app.overrideLocalOnly(true);
        Terminal term = app.terminal();
        // Checked before the worktree, the run or .git/info/exclude is touched.
        Preflight.notBlank(prompt, "the task is empty: say what the agent should do");
        Preflight.repositoryWithCommit(app);
        // The run's sandbox, chosen before anything is written: policy.sandbox: required without one is exit 2 here.
        app.launcher();
        String baseCommit = Preflight.commit(app.repoRoot(), base, "--base");
        List<String> owned = Preflight.owned(owns);
        Agent agent = app.agents().byName(agentName).orElseThrow(() -> new UserInputException(
                "unknown agent '" + agentName + "' (known: " + String.join(", ", app.agents().names()) + ")"));
        AgentInfo info = agent.detect();
        Duration limit;
        try {
            limit = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--timeout: " + e.getMessage());
        }
        // The model first: without one the agent has nothing to drive, installed or not (exit 3).
        // Through the gateway a CLI drives every catalog model, whatever wire the CLI itself speaks.
        ModelSpec spec = AgentModelChoice.choose(app, agentName, RunGateway.drivable(app, info), model, prompt);
        if (!info.usable()) throw new UserInputException(agentName + " cannot run here: " + info.reason());
        if (info.status() == AgentInfo.Status.SLOW) {
            term.err().println(term.yellow("warning: " + agentName + " is " + info.reason() + "; running it anyway"));
        }
        ProviderSpec provider = app.config().catalog().providerOf(spec);
        Optional<String> key = provider.apiKey().flatMap(ref -> app.secrets().resolve(ref));
        Preflight.usable(app, List.of(spec), "exec (" + spec.id() + ")");
        Approval.require(app, "this task (" + spec.id() + ", one turn at most output)",
                Costs.worstCaseUsd(spec, TokenEstimator.count(prompt) + FORECAST_CONTEXT_TOKENS, 0), yes);
        Policy policy = policy(app);

        String runId = RUN_ID.format(Instant.now()) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        WorkspaceManager workspaces = new WorkspaceManager(app.repoRoot());
        Workspace ws = workspaces.create(runId, "task", baseCommit, policy.copyIgnored());
        Instant started = Instant.now();
        term.err().println(term.dim("exec " + runId + ": " + agent.name() + " with " + spec.id() + " in " + ws.directory()
                + " (owns " + String.join(", ", owned) + ")"));
        ExecRun run = null;
        Optional<RunGateway> gateway = Optional.empty();
        AttemptGuard guard = null;
        try {
            run = ExecRun.start(app, runId, prompt);
            // Created now, by ensemble, and moved only by compare-and-swap from where ensemble left it.
            RunBranch runBranch = RunBranch.create(app.repoRoot(), runId, baseCommit);
            Optional<StoreSeal> seal = app.store().seal();
            guard = AttemptGuard.arm(ws, policy.watchIgnored(), policy.guardMainTree(), Optional.of(runBranch),
                    java.nio.file.Path.of(System.getProperty("user.home")), policy.watchHome());
            AgentTask task = new AgentTask(runId, "task", prompt, spec, provider, key, owned, limit, Optional.empty());
            CallContext context = CallContext.of("exec:" + agent.name()).withRun(runId, "task");
            gateway = agent.name().equals("builtin") ? Optional.empty() : RunGateway.start(app);
            boolean throughGateway = gateway.isPresent() && gateway.get().agents().routes(agent);
            AgentResult result = throughGateway
                    ? gateway.get().agents().run(agent, task, context, ws, AgentEventPrinter.live(term)).result()
                    : agent.run(task, ws, AgentEventPrinter.live(term));
            List<AttemptGuard.Finding> guarded = new java.util.ArrayList<>(guard.checkAndUndo());
            seal.flatMap(sealed -> app.store().brokenSeal(sealed)).ifPresent(why -> guarded.add(new AttemptGuard.Finding(
                    ".ensemble/ensemble.db", Rules.STORE_TAMPERED, why, false, "the store is not rolled back")));
            for (AttemptGuard.Finding f : guarded) term.err().println(term.yellow("guard: " + f.line()));
            ChangeSet changes = workspaces.commit(ws, "ensemble exec " + runId + " (" + agent.name() + "): " + firstLine(prompt));
            Verdict verdict = new Enforcer(policy).enforce(agent.name(), changes, owned, ws, guarded);
            MergeResult merge = null;
            if (result.succeeded() && verdict.accepted() && !changes.isEmpty()) {
                try {
                    merge = workspaces.merge(ws, runBranch);
                } catch (RunBranchMovedException moved) {
                    runBranch.restore();
                    verdict = verdict.plus(List.of(new Violation(runBranch.ref(), Rules.RUN_BRANCH_MOVED,
                            moved.getMessage() + " (restored; nothing merged)")));
                }
            }
            // Through the gateway each of the agent's requests has its ledger row already: its own account would count twice.
            if (!agent.name().equals("builtin") && !throughGateway) {
                AgentTaskExecutor.recordAgentUsage(app.ledger(), started, context, provider.name(), spec.id(), result);
            }
            new AgentRunLog(app.store()).record(started, runId, "task", agent.name(), spec.id(), result, changes.paths(), verdict);
            ExecRun.Ending ending = ending(result, verdict, changes, merge);
            var kind = Classifier.standard().classify(prompt).kind();
            // What the router learns from: this model, driven by this agent, on this kind of task, passed or not.
            new OutcomeLog(app.store()).record(new Outcome(Instant.now(), runId, "task", spec.id(), agent.name(),
                    kind, "in=" + result.usage().inputTokens() + " out="
                    + result.usage().outputTokens() + " files=" + changes.paths().size(),
                    ending == ExecRun.Ending.ACCEPTED, result.costUsd(), Duration.between(started, Instant.now())));
            java.nio.file.Path report = run.finish(prompt, agent.name(), spec, kind, owned, result, changes, ending,
                    why(ending, agent, result, verdict, merge));
            print(term, runId, agent, spec, result, changes, verdict, merge, ending, app.repoRoot().relativize(report));
            guard.disarm();
            // Nothing landed: the branch this run created at its start goes again (by compare-and-swap).
            if (merge == null || !merge.merged()) runBranch.discardIfNothingLanded();
            // A merged change lives on in the run branch; the task branch and worktree can go.
            if (!keep) workspaces.remove(ws);
            else term.err().println(term.dim("kept worktree " + ws.directory() + " on branch " + ws.branch()));
            return switch (ending) {
                case ACCEPTED -> ExitCodes.OK;
                case NO_CHANGE -> ExitCodes.NO_CHANGE;
                case REJECTED, FAILED, CONFLICT -> ExitCodes.FAILED;
            };
        } catch (RuntimeException e) {
            if (guard != null) guard.disarm();
            if (run != null) {
                try {
                    run.failed();
                } catch (RuntimeException unrecorded) {
                    e.addSuppressed(unrecorded);
                }
            }
            if (!keep) {
                try {
                    workspaces.remove(ws);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        } finally {
            gateway.ifPresent(RunGateway::close);
        }
    }

    static Policy policy(AppContext app) {
        return app.policy();  // checked with the whole configuration: errors name file, line and key
    }

    /** How the exec ended: the agent's word, then the Enforcer's, then what git says changed, then the merge. */
    private static ExecRun.Ending ending(AgentResult result, Verdict verdict, ChangeSet changes, MergeResult merge) {
        if (!result.succeeded()) return ExecRun.Ending.FAILED;
        if (!verdict.accepted()) return ExecRun.Ending.REJECTED;
        if (changes.isEmpty()) return ExecRun.Ending.NO_CHANGE;
        if (merge != null && merge.status() == MergeResult.Status.CONFLICT) return ExecRun.Ending.CONFLICT;
        return ExecRun.Ending.ACCEPTED;
    }

    private static String why(ExecRun.Ending ending, Agent agent, AgentResult result, Verdict verdict, MergeResult merge) {
        return switch (ending) {
            case FAILED -> agent.name() + " " + result.status().name().toLowerCase(Locale.ROOT) + ": " + result.failureReason();
            case REJECTED -> "rejected by the enforcer: " + verdict.summary();
            case NO_CHANGE -> agent.name() + " reported success but changed no file";
            case CONFLICT -> "merge conflict in " + merge.conflicts();
            case ACCEPTED -> "accepted: merged into " + merge.targetBranch();
        };
    }

    private void print(Terminal term, String runId, Agent agent, ModelSpec spec, AgentResult result, ChangeSet changes,
                       Verdict verdict, MergeResult merge, ExecRun.Ending ending, java.nio.file.Path report) {
        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            root.put("run", runId).put("agent", agent.name()).put("model", spec.id())
                    .put("outcome", ending.name().toLowerCase(Locale.ROOT)).put("report", report.toString())
                    .put("status", result.status().name().toLowerCase(Locale.ROOT)).put("accepted", verdict.accepted())
                    .put("landed", merge != null && merge.status() == MergeResult.Status.MERGED)
                    .put("branch", merge == null ? "" : merge.targetBranch())
                    .put("final_message", result.finalMessage()).put("failure", result.failureReason())
                    .put("input_tokens", result.usage().inputTokens()).put("output_tokens", result.usage().outputTokens())
                    .put("cost_usd", result.costUsd())
                    .put("duration_ms", result.duration().toMillis()).put("session_id", result.sessionId().orElse(""))
                    .put("exit_code", result.exitCode());
            // The CLI's own figure, shown beside the catalog's: never the one the ledger or budgets use.
            result.reportedCostUsd().ifPresent(usd -> root.put("agent_reported_cost_usd", usd));
            ArrayNode files = root.putArray("files");
            changes.paths().forEach(files::add);
            ArrayNode violations = root.putArray("violations");
            for (Violation v : verdict.violations()) violations.addObject().put("path", v.path()).put("rule", v.rule()).put("detail", v.detail());
            if (merge != null) {
                ArrayNode conflicts = root.putArray("conflicts");
                merge.conflicts().forEach(conflicts::add);
            }
            term.printJson(root);
            return;
        }
        String outcome = switch (ending) {
            case FAILED -> term.red(result.status().name().toLowerCase(Locale.ROOT)) + ": " + result.failureReason();
            case REJECTED -> term.red("rejected") + " by the enforcer: nothing lands";
            case NO_CHANGE -> term.yellow("no change") + ": " + agent.name() + " reported success but changed no file; nothing lands (exit "
                    + ExitCodes.NO_CHANGE + ")";
            case CONFLICT -> term.red("merge conflict") + " in " + merge.conflicts();
            case ACCEPTED -> term.green("accepted") + ": merged into " + merge.targetBranch() + " (`git merge " + merge.targetBranch()
                    + "` to take it)";
        };
        term.out().println(term.bold("result") + "   " + outcome);
        if (!result.finalMessage().isBlank()) term.out().println("message  " + Redactor.global().redact(firstLine(result.finalMessage())));
        term.out().println("files    " + (changes.isEmpty() ? "(none)" : String.join(", ", changes.paths())));
        term.out().println("tokens   " + Format.tokens(result.usage().inputTokens()) + " in / " + Format.tokens(result.usage().outputTokens())
                + " out · " + Format.usd(result.costUsd()) + " (catalog prices"
                + (result.reportedCostUsd().isPresent() ? "; " + agent.name() + " said " + Format.usd(result.reportedCostUsd().getAsDouble()) : "")
                + ")"
                + " · " + Format.duration(result.duration()));
        term.out().println("session  " + result.sessionId().orElse("(none)"));
        term.out().println("report   " + report + " (`ensemble report " + runId + "`)");
        if (!verdict.violations().isEmpty()) {
            Table table = new Table("path", "rule", "detail");
            for (Violation v : verdict.violations()) table.row(v.path(), v.rule(), v.detail());
            term.out().println(term.red(verdict.violations().size() + " violation(s), recorded for run " + runId + ":"));
            term.out().print(table.render());
        }
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 120) + "…" : line;
    }
}
