package dev.ensemble.cli;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanJson;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.SpecFile;
import dev.ensemble.engine.plan.PlanRejectedException;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.plan.RepoPack;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show the plan for a request without running it.",
                "The planner's specs, and its tasks with their dependencies, owned files, kind and role. Writes nothing "
                        + "to the repository.",
                "A plan that fails validation goes back to the planner once with the exact problems; exit 1 if it fails "
                        + "again."})
final class PlanCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "REQUEST", description = "What you want done.")
    String request;

    @ArgGroup(exclusive = true)
    Target target = new Target();

    static final class Target {
        @Option(names = "--model", paramLabel = "M", description = "The planner's model (default: the planner role's model, else default_model).")
        String model;

        @Option(names = "--alias", paramLabel = "A", description = "An alias: an ordered fallback chain.")
        String alias;
    }

    @Option(names = "--json", description = "Print the plan as JSON.")
    boolean json;

    @Option(names = {"-y", "--yes"}, description = "Approve the planning call without asking when its worst case is above the approval threshold.")
    boolean yes;

    @Override
    public Integer call() {
        AppContext app = main.app();
        if (request.isBlank()) throw new UserInputException("the request is empty");
        Terminal term = app.terminal();
        Preflight.repository(app);
        Planning planning = Preflight.planner(app, target.model, target.alias, request, yes);
        Planner.Planned planned;
        try {
            planned = planning.plan(request);
        } catch (PlanRejectedException e) {
            term.err().println(term.red("ensemble: the plan was rejected") + " (after one repair turn; nothing was done):");
            for (PlanProblem problem : e.problems()) term.err().println("  " + problem);
            return ExitCodes.FAILED;
        }
        Plan plan = planned.plan();
        RepoPack pack = planning.pack();
        if (json) {
            term.printJson(toJson(plan));
            return ExitCodes.OK;
        }
        term.out().println(term.bold("Specs") + (plan.specs().isEmpty() ? " (none)" : ""));
        for (SpecFile spec : plan.specs()) term.out().println("  " + spec.path());
        term.out().println();
        Table table = new Table("TASK", "KIND", "ROLE", "DEPENDS ON", "FILES", "TITLE");
        for (PlanTask task : plan.tasks()) {
            String kind = task.kind().key() + (task.testFirst() ? " (test first)" : "");
            table.row(task.id(), kind, task.role(), task.dependsOn().isEmpty() ? "-" : String.join(", ", task.dependsOn()),
                    String.join(", ", task.files()), task.title());
        }
        term.out().print(table.render());
        term.err().println(term.dim(plan.tasks().size() + " tasks · " + Planning.describe(app, planned)
                + " · repository pack " + Format.tokens(pack.tokens()) + " tokens of " + Format.tokens(pack.budget())));
        return ExitCodes.OK;
    }

    static ObjectNode toJson(Plan plan) {
        return PlanJson.toTree(plan);
    }
}
