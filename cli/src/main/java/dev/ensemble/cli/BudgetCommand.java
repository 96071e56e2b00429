package dev.ensemble.cli;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.LedgerSpend;
import dev.ensemble.engine.store.Totals;
import dev.ensemble.engine.store.UsageGrouping;
import dev.ensemble.engine.store.UsageQuery;
import dev.ensemble.engine.store.UsageRow;
import dev.ensemble.llm.http.HttpTransport;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "budget", mixinStandardHelpOptions = true,
        description = {"Show the spending limits and what is left of them.",
                "The limits (budget: in the configuration), what was spent today (UTC) and in the latest runs, what is "
                        + "left, whether the warning threshold is reached, and today's spending by model. From the ledger."})
final class BudgetCommand implements Callable<Integer> {
    /** How many of the latest runs are shown. */
    static final int RUNS = 5;

    @ParentCommand Main main;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        Budget budget = app.budget();
        Ledger ledger = app.ledger();
        Instant dayStart = LedgerSpend.startOfDay(app.clock());
        Totals today = ledger.totals(Optional.of(dayStart));
        List<UsageRow> byModel = ledger.summarize(UsageQuery.by(UsageGrouping.MODEL).withSince(dayStart));
        List<UsageRow> runs = ledger.recentRuns(RUNS);

        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            ObjectNode limits = root.putObject("limits");
            put(limits, "daily_usd", budget.dailyUsd());
            put(limits, "run_usd", budget.runUsd());
            put(limits, "task_usd", budget.taskUsd());
            limits.put("warn_at", budget.warnAt());
            put(limits, "approve_above_usd", budget.approveAboveUsd());
            root.put("local_only", app.loadedConfig().localOnly());
            ObjectNode day = root.putObject("today");
            day.put("since", dayStart.toString()).put("calls", today.calls()).put("input_tokens", today.inputTokens())
                    .put("output_tokens", today.outputTokens()).put("spent_usd", today.costUsd());
            state(day, budget.dailyUsd(), today.costUsd(), budget.warnAt());
            var models = root.putArray("by_model");
            for (UsageRow r : byModel) {
                models.addObject().put("model", r.key()).put("calls", r.calls()).put("input_tokens", r.inputTokens())
                        .put("output_tokens", r.outputTokens()).put("cost_usd", r.costUsd());
            }
            var runArray = root.putArray("runs");
            for (UsageRow r : runs) {
                ObjectNode run = runArray.addObject().put("run", r.key()).put("calls", r.calls()).put("spent_usd", r.costUsd());
                state(run, budget.runUsd(), r.costUsd(), budget.warnAt());
            }
            term.printJson(root);
            return ExitCodes.OK;
        }

        term.out().println(term.bold("limits  ") + "daily " + limit(budget.dailyUsd()) + " · per run " + limit(budget.runUsd())
                + " · per task " + limit(budget.taskUsd()) + " · warn at " + String.format(Locale.ROOT, "%.0f%%", 100 * budget.warnAt())
                + " · approve above " + limit(budget.approveAboveUsd()));
        term.out().println(term.bold("today   ") + Format.usd(today.costUsd()) + " spent in " + today.calls() + " calls ("
                + Format.tokens(today.inputTokens()) + " in / " + Format.tokens(today.outputTokens()) + " out, since "
                + dayStart + ")" + line(term, budget.dailyUsd(), today.costUsd(), budget.warnAt()));
        if (app.loadedConfig().localOnly()) term.out().println(term.bold("mode    ") + "local only: cloud models are not called");
        if (!byModel.isEmpty()) {
            term.out().println();
            Table table = new Table("model today", "calls", "input", "output", "cost").alignRight(1, 2, 3, 4);
            for (UsageRow r : byModel) {
                table.row(r.key(), r.calls(), Format.tokens(r.inputTokens()), Format.tokens(r.outputTokens()), Format.usd(r.costUsd()));
            }
            term.out().print(table.render());
        }
        if (!runs.isEmpty()) {
            term.out().println();
            Table table = new Table("latest runs", "calls", "cost", "left").alignRight(1, 2, 3);
            for (UsageRow r : runs) {
                table.row(r.key(), r.calls(), Format.usd(r.costUsd()),
                        budget.runUsd().isPresent() ? Format.usd(Math.max(0, budget.runUsd().getAsDouble() - r.costUsd())) : "no limit");
            }
            term.out().print(table.render());
        }
        return ExitCodes.OK;
    }

    private static void put(ObjectNode node, String field, OptionalDouble value) {
        if (value.isPresent()) node.put(field, value.getAsDouble());
        else node.putNull(field);
    }

    /** left_usd, used fraction, warning (at or past warn_at) and over (past the limit); nulls when there is no limit. */
    private static void state(ObjectNode node, OptionalDouble limit, double spent, double warnAt) {
        if (limit.isEmpty()) {
            node.putNull("limit_usd").putNull("left_usd");
            node.put("warning", false).put("over", false);
            return;
        }
        double l = limit.getAsDouble();
        node.put("limit_usd", l).put("left_usd", Math.max(0, l - spent)).put("used", l == 0 ? (spent > 0 ? 1.0 : 0.0) : spent / l)
                .put("warning", spent >= warnAt * l).put("over", spent > l);
    }

    private static String line(Terminal term, OptionalDouble limit, double spent, double warnAt) {
        if (limit.isEmpty()) return " · no daily limit";
        double l = limit.getAsDouble();
        String left = " · " + Format.usd(Math.max(0, l - spent)) + " left of " + Format.usd(l);
        if (spent > l) return left + term.red(" · over the limit: calls that cost anything are refused");
        if (spent >= warnAt * l) return left + term.yellow(String.format(Locale.ROOT, " · warning: %.0f%% used", l == 0 ? 100 : 100 * spent / l));
        return left;
    }

    private static String limit(OptionalDouble v) {
        return v.isPresent() ? Format.usd(v.getAsDouble()) : "none";
    }
}
