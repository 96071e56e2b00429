package dev.ensemble.engine.report;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.routing.Savings;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.UsageRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code .ensemble/reports/<run>} says about one run. Costs and tokens come from the
 * ledger rows of the run (every model call, the planner's and the reviewer's included), so the
 * totals are the ledger's; the per-task figures are what the scheduler attributed to each task.
 *
 * @param saving   empty when the catalog has no premium planner to compare with
 * @param planning the planner's calls for this run per model (part of {@code models} and the totals; empty for a given plan)
 */
public record RunReport(String runId, Instant startedAt, Duration duration, String request, Plan plan, List<TaskLine> tasks,
                        List<ModelCost> models, long calls, long inputTokens, long outputTokens, long cachedInputTokens,
                        double costUsd, Optional<Saving> saving, List<ModelCost> planning) {
    /** The command whose ledger rows are a run's planning. */
    public static final String PLANNING_COMMAND = "plan";

    /** A report without planning figures (a given plan, or a report from before they were kept). */
    public RunReport(String runId, Instant startedAt, Duration duration, String request, Plan plan, List<TaskLine> tasks,
                     List<ModelCost> models, long calls, long inputTokens, long outputTokens, long cachedInputTokens,
                     double costUsd, Optional<Saving> saving) {
        this(runId, startedAt, duration, request, plan, tasks, models, calls, inputTokens, outputTokens, cachedInputTokens, costUsd,
                saving, List.of());
    }

    public RunReport {
        planning = planning == null ? List.of() : List.copyOf(planning);
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(plan, "plan");
        tasks = List.copyOf(tasks);
        models = List.copyOf(models);
        Objects.requireNonNull(saving, "saving");
    }

    /** The report of a run from its tasks and its ledger rows; the baseline is the catalog's premium planner. */
    public static RunReport build(String runId, Instant startedAt, Duration duration, Plan plan, List<TaskLine> tasks,
                                  Ledger ledger, Catalog catalog) {
        List<UsageRow> rows = ledger.runByModel(runId);
        List<ModelCost> models = rows.stream().map(RunReport::modelCost).toList();
        List<ModelCost> planning = ledger.runByModel(runId, Optional.of(PLANNING_COMMAND)).stream().map(RunReport::modelCost).toList();
        long calls = 0, input = 0, output = 0, cached = 0;
        double cost = 0;
        for (UsageRow r : rows) {
            calls += r.calls();
            input += r.inputTokens();
            output += r.outputTokens();
            cached += r.cachedInputTokens();
            cost += r.costUsd();
        }
        Optional<Saving> saving = Savings.premiumPlanner(catalog.models().values()).map(baseline -> saving(rows, baseline, catalog));
        return new RunReport(runId, startedAt, duration, plan.request(), plan, tasks, models, calls, input, output, cached, cost, saving,
                planning);
    }

    private static ModelCost modelCost(UsageRow r) {
        return new ModelCost(r.key(), r.calls(), r.failures(), r.inputTokens(), r.outputTokens(), r.cachedInputTokens(), r.costUsd());
    }

    /** What planning this run cost (0 for a given plan). */
    public double planningCostUsd() {
        return planning.stream().mapToDouble(ModelCost::costUsd).sum();
    }

    // The actual side is what the ledger recorded (not re-priced): the report's totals and its saving agree.
    private static Saving saving(List<UsageRow> rows, ModelSpec baseline, Catalog catalog) {
        Usage tokens = Usage.ZERO;
        Usage local = Usage.ZERO;
        double actual = 0;
        double base = 0;
        long calls = 0;
        for (UsageRow r : rows) {
            Usage usage = new Usage(r.inputTokens(), r.outputTokens(), r.cachedInputTokens());
            tokens = tokens.plus(usage);
            if (catalog.model(r.key()).map(ModelSpec::local).orElse(false)) local = local.plus(usage);
            actual += r.costUsd();
            base += baseline.costUsd(usage);
            calls += r.calls();
        }
        Savings savings = new Savings((int) calls, tokens, local, actual, base, baseline.id());
        return new Saving(baseline.id(), actual, base, savings.savingPercent());
    }

    public long passed() {
        return tasks.stream().filter(TaskLine::passed).count();
    }

    /** Tasks that ran and failed; a skipped task (its dependency failed) is not one of them. */
    public long failed() {
        return tasks.stream().filter(t -> t.status() == TaskLine.Status.FAILED).count();
    }

    /** Tasks never run because a dependency did not pass. */
    public long skipped() {
        return tasks.stream().filter(t -> t.status() == TaskLine.Status.SKIPPED).count();
    }

    /** The tasks that did not pass, with why. */
    public List<TaskLine> failures() {
        return tasks.stream().filter(t -> !t.passed()).toList();
    }
}
