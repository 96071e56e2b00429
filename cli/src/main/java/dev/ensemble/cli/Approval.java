package dev.ensemble.cli;

import dev.ensemble.core.config.Durations;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.engine.approval.Answerer;
import dev.ensemble.engine.approval.ApprovalKind;
import dev.ensemble.engine.approval.ApprovalRequest;
import dev.ensemble.engine.approval.Approvals;
import dev.ensemble.engine.approval.Decision;
import dev.ensemble.llm.ModelException;
import java.io.Console;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Asks before spending much, or before work the policy flags: a forecast above {@code
 * budget.approve_above_usd}, tasks owning a path in {@code policy.approve_paths}. Each question is
 * an approval in the store ({@link Approvals}), answered by whoever comes first: a "y" typed at this
 * command's console, {@code ensemble approve <id>} from another terminal, the daemon's API. {@code
 * --yes} records it approved by {@code flag} without asking. Without a console and without {@code
 * --yes} the command refuses with exit 2 at once, so nothing runs unseen, unless {@code
 * approvals.wait} asks it to wait for an answer from elsewhere. A timeout rejects.
 */
final class Approval {
    private Approval() {}

    static void require(AppContext app, String what, double forecastUsd, boolean yes) {
        require(app, "", what, forecastUsd, yes, "nothing was sent", "pass --yes to approve");
    }

    /**
     * A run's forecast, shown on stderr before its first task is dispatched, then approved as
     * above when its max is over the threshold. The max, not the expected figure: approval is
     * about what the run could cost, as for {@code ask} and {@code exec}.
     *
     * @param howToApprove what the refusal suggests, e.g. the command that goes on once approved
     */
    static void forecast(AppContext app, String runId, String what, CostForecast forecast, int tasks, boolean yes,
                         String howToApprove) {
        Terminal term = app.terminal();
        term.err().println("forecast: min " + Format.usd(forecast.minUsd()) + " · expected " + Format.usd(forecast.expectedUsd())
                + " · max " + Format.usd(forecast.maxUsd()) + " for " + tasks + (tasks == 1 ? " task" : " tasks"));
        if (!forecast.unroutable().isEmpty()) {
            term.err().println(term.yellow("  no model can serve: ") + String.join("; ", forecast.unroutable()));
        }
        require(app, runId, what, forecast.maxUsd(), yes, "nothing was dispatched", howToApprove);
    }

    /** Tasks owning a path that {@code policy.approve_paths} names: one approval for them all before the first dispatch. */
    static void policy(AppContext app, String runId, List<PlanTask> tasks, boolean yes, String howToApprove) {
        Map<String, List<String>> flagged = app.approvePaths().flagged(tasks);
        if (flagged.isEmpty()) return;
        StringBuilder line = new StringBuilder("run " + runId + ": policy.approve_paths flags ");
        flagged.forEach((task, files) -> line.append(line.charAt(line.length() - 1) == ' ' ? "" : "; ")
                .append("task ").append(task).append(" (owns ").append(String.join(", ", files)).append(")"));
        ask(app, ApprovalKind.POLICY, runId, line.toString(), yes, "nothing was dispatched", howToApprove);
    }

    /**
     * {@code --apply}, given on the command line, is the user's own decision to merge onto their
     * branch: recorded as an approval decided by {@code flag}, so the record says who let it happen.
     */
    static void applied(AppContext app, String runId, String runBranch, String branch) {
        app.approvals().decided(ApprovalRequest.rejectOnTimeout(runId, repo(app), ApprovalKind.APPLY,
                "merge " + runBranch + " into your branch " + branch, Duration.ofMinutes(1)), Decision.APPROVE, Answerer.FLAG, "--apply");
    }

    private static void require(AppContext app, String runId, String what, double forecastUsd, boolean yes, String nothingDone,
                                String howToApprove) {
        OptionalDouble threshold = app.budget().approveAboveUsd();
        if (threshold.isEmpty() || forecastUsd <= threshold.getAsDouble()) return;
        String line = String.format(Locale.ROOT, "%s could cost up to %s, above budget.approve_above_usd %s", what,
                Format.usd(forecastUsd), Format.usd(threshold.getAsDouble()));
        ask(app, ApprovalKind.FORECAST, runId, line, yes, nothingDone, howToApprove);
    }

    private static void ask(AppContext app, ApprovalKind kind, String runId, String line, boolean yes, String nothingDone,
                            String howToApprove) {
        Terminal term = app.terminal();
        if (yes) {
            var a = app.approvals().decided(ApprovalRequest.rejectOnTimeout(runId, repo(app), kind, line, Duration.ofMinutes(1)),
                    Decision.APPROVE, Answerer.FLAG, "--yes");
            term.err().println(term.dim(line + " — approved by --yes (" + a.id() + ")"));
            return;
        }
        Optional<Console> console = term.console();
        Optional<Duration> wait = app.approvalSettings().waitFor(console.isPresent());
        if (wait.isEmpty()) throw new UserInputException(line + "; " + nothingDone + ": " + howToApprove);
        Approvals approvals = app.approvals();
        var pending = approvals.request(ApprovalRequest.rejectOnTimeout(runId, repo(app), kind, line, wait.get()));
        String id = pending.id();
        term.err().println(line + ".");
        term.err().println("approval " + term.bold(id) + " waits " + Durations.format(wait.get()) + " (then it is rejected): "
                + "`ensemble approve " + id + "` or `ensemble reject " + id + "` from another terminal"
                + (console.isPresent() ? ", or answer here" : ""));
        dev.ensemble.engine.approval.Approval ended;
        try (TerminalAnswer answer = TerminalAnswer.start(console, approvals, id, term)) {
            ended = approvals.await(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.INTERRUPTED, "interrupted while approval " + id + " was pending; " + nothingDone);
        }
        if (!ended.approved()) {
            throw new UserInputException("not approved (" + id + " " + ended.outcome() + "); " + nothingDone
                    + (ended.decidedBy().orElse(null) == Answerer.TIMEOUT ? ": " + howToApprove : ""));
        }
        term.err().println(term.dim("approval " + id + ": " + ended.outcome()));
    }

    private static String repo(AppContext app) {
        return app.repoRoot().toString();
    }
}
