package dev.ensemble.cli;

import dev.ensemble.engine.approval.Approval;
import dev.ensemble.engine.approval.ApprovalFilter;
import dev.ensemble.engine.approval.ApprovalJson;
import dev.ensemble.engine.approval.ApprovalState;
import dev.ensemble.engine.approval.Approvals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "approvals", mixinStandardHelpOptions = true,
        description = {"List this repository's approvals, newest first.",
                "What waits for a yes or no, and what was decided, by whom and when. "
                        + "A forecast above budget.approve_above_usd, tasks owning a path in policy.approve_paths and --apply each "
                        + "record an approval; a command waiting on one is released by `ensemble approve <id>` or "
                        + "`ensemble reject <id>` from here, by a \"y\" at its own prompt, or by the daemon's API, whichever "
                        + "comes first. Pending approvals past their timeout are expired (rejected) as they are listed."})
final class ApprovalsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(arity = "0..1", paramLabel = "list", description = "The only action (the default): list.")
    String action;

    @Option(names = "--pending", description = "Only those still waiting for an answer.")
    boolean pending;

    @Option(names = "--run", paramLabel = "RUN", description = "Only those of this run.")
    String run;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (action != null && !action.equals("list")) {
            throw new UserInputException("unknown action '" + action + "': `ensemble approvals [list]`, `ensemble approve <id>`, "
                    + "`ensemble reject <id>`");
        }
        AppContext app = main.app();
        Terminal term = app.terminal();
        ApprovalFilter filter = ApprovalFilter.all();
        if (pending) filter = filter.withState(ApprovalState.PENDING);
        if (run != null) filter = filter.withRun(run);
        // Listing expires overdue approvals, a write: only in a store that exists, never creating one to look.
        List<Approval> approvals = app.storeExists() ? app.approvals().list(filter) : new Approvals(app.storeForReading()).list(filter);
        if (json) {
            term.printJson(ApprovalJson.write(approvals));
            return ExitCodes.OK;
        }
        if (approvals.isEmpty()) {
            term.out().println(pending ? "no approval is waiting" : "no approvals yet");
            return ExitCodes.OK;
        }
        Table table = new Table("id", "state", "kind", "run", "asked", "question", "decided");
        for (Approval a : approvals) {
            String state = switch (a.state()) {
                case PENDING -> term.yellow("pending");
                case APPROVED -> term.green("approved");
                case REJECTED -> term.red("rejected");
                case EXPIRED -> term.dim("expired");
            };
            table.row(a.id(), state, a.kind().key(), a.runId(), time(a.createdAt()), a.question(),
                    a.pending() ? "expires " + time(a.expiresAt()) : a.outcome());
        }
        term.out().print(table.render());
        return ExitCodes.OK;
    }

    /** As `ensemble runs` shows times: UTC to the second. */
    private static String time(java.time.Instant at) {
        return at.toString().replace('T', ' ').replaceFirst("\\.\\d+Z$|Z$", "Z");
    }
}
