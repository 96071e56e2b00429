package dev.ensemble.cli;

import dev.ensemble.engine.approval.Answerer;
import dev.ensemble.engine.approval.Decided;
import dev.ensemble.engine.approval.Decision;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ensemble approve <id>} and {@code ensemble reject <id>}: answers a pending approval in this
 * repository's store, typically from a second terminal while a command waits on it. Only the first
 * answer counts: one to an approval already decided (or expired) is refused with exit 2 and changes nothing.
 */
abstract class DecideCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval (`ensemble approvals` lists them).")
    String id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, recorded with the decision.")
    String reason;

    abstract Decision decision();

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        // Never create a store to answer: an approval can only be in one that exists.
        if (!app.storeExists()) throw new UserInputException("no approval " + id + ": ensemble has recorded nothing in " + app.repoRoot());
        return switch (app.approvals().decide(id, decision(), Answerer.CLI, reason == null ? "" : reason)) {
            case Decided.Taken t -> {
                String word = decision() == Decision.APPROVE ? term.green("approved") : term.red("rejected");
                term.out().println(word + " " + t.approval().id() + ": " + t.approval().question());
                yield ExitCodes.OK;
            }
            case Decided.Refused r -> throw new UserInputException(r.reason());
            case Decided.NotFound n -> throw new UserInputException(n.reason());
        };
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"Approve a pending approval: what waits on it goes on.",
                    "Exit 0 when this answer decided it; 2 when it was already decided, expired or unknown (nothing changed)."})
    static final class Approve extends DecideCommand {
        @Override
        Decision decision() {
            return Decision.APPROVE;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = {"Reject a pending approval: what waits on it stops.",
                    "The command waiting on it exits 2 with nothing dispatched. "
                            + "Exit 0 when this answer decided it; 2 when it was already decided, expired or unknown (nothing changed)."})
    static final class Reject extends DecideCommand {
        @Override
        Decision decision() {
            return Decision.REJECT;
        }
    }
}
