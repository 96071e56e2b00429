package dev.ensemble.cli;

import dev.ensemble.core.TaskKind;
import dev.ensemble.engine.store.OutcomeLog;
import dev.ensemble.engine.store.Since;
import dev.ensemble.engine.store.UsageGrouping;
import dev.ensemble.engine.store.UsageQuery;
import dev.ensemble.engine.store.UsageRow;
import dev.ensemble.llm.http.HttpTransport;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How well each model does, from two tables: model calls (the ledger: calls, failures, tokens,
 * cost, latency, per model and per role) and task outcomes (verdicts per model and kind, what the
 * router learns from). Calls carry no kind; tasks do, so "per kind" figures come from outcomes.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Show success rates and costs per model, role and kind.",
                "Success rate, duration, tokens and cost: model calls from the ledger, task verdicts from the outcomes "
                        + "the router learns from."})
final class StatsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only since: 30m, 24h, 7d, a date (2026-11-01) or an instant.")
    String since;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    private record KindTotals(long passes, long fails, double costUsd, double durationMs) {
        KindTotals plus(OutcomeLog.Summary s) {
            return new KindTotals(passes + s.passes(), fails + s.fails(), costUsd + s.meanCostUsd() * s.outcomes(),
                    durationMs + s.meanDurationMs() * s.outcomes());
        }

        long outcomes() {
            return passes + fails;
        }
    }

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        Optional<Instant> from;
        try {
            from = since == null ? Optional.empty() : Optional.of(Since.parse(since, Clock.systemUTC()));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--since: " + e.getMessage());
        }
        List<UsageRow> byModel = app.ledgerForReading().summarize(new UsageQuery(from, UsageGrouping.MODEL));
        List<UsageRow> byRole = app.ledgerForReading().summarize(new UsageQuery(from, UsageGrouping.ROLE));
        List<OutcomeLog.Summary> outcomes = new OutcomeLog(app.storeForReading()).summarize(from);
        Map<TaskKind, KindTotals> byKind = new EnumMap<>(TaskKind.class);
        for (OutcomeLog.Summary s : outcomes) byKind.merge(s.kind(), new KindTotals(0, 0, 0, 0).plus(s), (a, b) -> a.plus(s));

        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            from.ifPresent(f -> root.put("since", f.toString()));
            ObjectNode calls = root.putObject("calls");
            calls.set("by_model", callRows(byModel));
            calls.set("by_role", callRows(byRole));
            ObjectNode tasks = root.putObject("outcomes");
            ArrayNode rows = tasks.putArray("by_model_and_kind");
            for (OutcomeLog.Summary s : outcomes) {
                rows.addObject().put("model", s.model()).put("kind", s.kind().key()).put("passes", s.passes()).put("fails", s.fails())
                        .put("success_rate", s.successRate()).put("mean_cost_usd", s.meanCostUsd()).put("mean_duration_ms", s.meanDurationMs());
            }
            ArrayNode kinds = tasks.putArray("by_kind");
            byKind.forEach((kind, t) -> kinds.addObject().put("kind", kind.key()).put("passes", t.passes()).put("fails", t.fails())
                    .put("success_rate", rate(t.passes(), t.outcomes())).put("mean_cost_usd", t.costUsd() / t.outcomes())
                    .put("mean_duration_ms", t.durationMs() / t.outcomes()));
            term.printJson(root);
            return ExitCodes.OK;
        }
        String window = since == null ? "" : " since " + since;
        if (byModel.isEmpty() && outcomes.isEmpty()) {
            term.out().println("No model calls or task outcomes recorded" + window + " in " + app.storeForReading().description() + ".");
            return ExitCodes.OK;
        }
        if (!byModel.isEmpty()) {
            term.out().println(term.bold("Model calls per model" + window));
            term.out().print(callTable("model", byModel).render());
            term.out().println();
            term.out().println(term.bold("Model calls per role" + window));
            term.out().print(callTable("role", byRole).render());
            term.out().println();
        }
        if (outcomes.isEmpty()) {
            term.out().println("No task outcomes recorded" + window + ": they come from `ensemble exec` and runs.");
            return ExitCodes.OK;
        }
        term.out().println(term.bold("Task outcomes per model and kind" + window));
        Table table = new Table("model", "kind", "passed", "failed", "success", "mean cost", "mean duration").alignRight(2, 3, 4, 5, 6);
        for (OutcomeLog.Summary s : outcomes) {
            table.row(s.model(), s.kind().key(), s.passes(), s.fails(), percent(s.successRate()), Format.usd(s.meanCostUsd()),
                    Format.millis(s.meanDurationMs()));
        }
        term.out().print(table.render());
        term.out().println();
        term.out().println(term.bold("Task outcomes per kind" + window));
        Table kinds = new Table("kind", "passed", "failed", "success", "mean cost", "mean duration").alignRight(1, 2, 3, 4, 5);
        byKind.forEach((kind, t) -> kinds.row(kind.key(), t.passes(), t.fails(), percent(rate(t.passes(), t.outcomes())),
                Format.usd(t.costUsd() / t.outcomes()), Format.millis(t.durationMs() / t.outcomes())));
        term.out().print(kinds.render());
        return ExitCodes.OK;
    }

    private static Table callTable(String key, List<UsageRow> rows) {
        Table table = new Table(key, "calls", "failed", "success", "input", "output", "cost", "mean latency").alignRight(1, 2, 3, 4, 5, 6, 7);
        for (UsageRow r : rows) {
            table.row(r.key().isEmpty() ? "(none)" : r.key(), r.calls(), r.failures(), percent(rate(r.calls() - r.failures(), r.calls())),
                    Format.tokens(r.inputTokens()), Format.tokens(r.outputTokens()), Format.usd(r.costUsd()), Format.millis(r.meanLatencyMs()));
        }
        return table;
    }

    private static ArrayNode callRows(List<UsageRow> rows) {
        ArrayNode array = HttpTransport.JSON.createArrayNode();
        for (UsageRow r : rows) {
            array.addObject().put("key", r.key()).put("calls", r.calls()).put("failures", r.failures())
                    .put("success_rate", rate(r.calls() - r.failures(), r.calls()))
                    .put("input_tokens", r.inputTokens()).put("output_tokens", r.outputTokens())
                    .put("cost_usd", r.costUsd()).put("mean_latency_ms", r.meanLatencyMs());
        }
        return array;
    }

    private static double rate(long good, long all) {
        return all == 0 ? 0 : (double) good / all;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
