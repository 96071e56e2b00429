package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.BudgetCheck;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.Spent;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Decides, before anything is sent, whether a call may be made within the {@link Budget}: its
 * worst-case cost (the input estimated with {@link TokenEstimator} plus the request's output cap,
 * or the model's maximum output, at catalog prices) is added to what was spent; a call that could
 * cross a hard limit is refused with {@link ModelException.Kind#BUDGET}. A call that only reaches
 * the warning fraction of a limit goes through, and the first such call in this guard's life
 * emits one warning line (later ones stay quiet: one line per process is enough to notice).
 *
 * <p>A call whose worst case is $0 (a local model) is always allowed: it cannot cross a limit,
 * even one already exceeded. Its tokens are still counted by the ledger.
 */
public final class BudgetGuard {
    private final Budget budget;
    private final SpendSource spend;
    private final Consumer<String> warnings;
    private final AtomicBoolean warned = new AtomicBoolean();

    public BudgetGuard(Budget budget, SpendSource spend, Consumer<String> warnings) {
        this.budget = Objects.requireNonNull(budget, "budget");
        this.spend = Objects.requireNonNull(spend, "spend");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    public Budget budget() {
        return budget;
    }

    /** The most this request can cost on this model, in USD. */
    public static double worstCaseUsd(ModelSpec spec, ChatRequest request) {
        return Costs.worstCaseUsd(spec, TokenEstimator.estimate(request), request.maxOutputTokens());
    }

    /**
     * Returns when the call may go ahead (perhaps after one warning line).
     *
     * @throws ModelException of kind BUDGET, naming the limit, what was spent and the worst case
     */
    public void check(ModelSpec spec, ChatRequest request) {
        Optional<Denial> denial = evaluate(spec, request);
        if (denial.isPresent()) throw new ModelException(ModelException.Kind.BUDGET, denial.get().message());
    }

    /**
     * As {@link #check}, the refusal as a value rather than an exception: for callers that answer
     * it in their own words (the gateway says it in the client's wire format). Empty when the call
     * may go ahead; a warning line is emitted as {@link #check} does.
     */
    public Optional<Denial> evaluate(ModelSpec spec, ChatRequest request) {
        return evaluate(spec, request, Spent.NOTHING);
    }

    /**
     * As {@link #evaluate(ModelSpec, ChatRequest)}, counting {@code pending} (money held for calls
     * admitted and not yet in the ledger, per budget) as spent: how a gateway checks many
     * concurrent requests against one budget.
     */
    public Optional<Denial> evaluate(ModelSpec spec, ChatRequest request, Spent pending) {
        double worst = worstCaseUsd(spec, request);
        if (worst == 0) return Optional.empty();
        Spent recorded = spend.spent(request.context());
        Spent spent = new Spent(recorded.todayUsd() + pending.todayUsd(), recorded.runUsd() + pending.runUsd(),
                recorded.taskUsd() + pending.taskUsd());
        BudgetCheck check = BudgetCheck.check(budget, spent, worst);
        switch (check.verdict()) {
            case DENY -> { return Optional.of(denial(spec, spent, worst)); }
            case WARN -> {
                if (warned.compareAndSet(false, true)) {
                    warnings.accept("budget warning: " + String.join("; ", check.messages()));
                }
            }
            case ALLOW -> { }
        }
        return Optional.empty();
    }

    /**
     * A call refused because its worst case could cross {@code limit} ("daily", "run" or "task";
     * {@code setting} is the configuration key that raises it, e.g. {@code daily_usd}).
     */
    public record Denial(String limit, String setting, double limitUsd, double spentUsd, double worstCaseUsd, String modelId) {
        /** What is left under the limit, never below 0. */
        public double leftUsd() {
            return Math.max(0, limitUsd - spentUsd);
        }

        /** "daily budget $50.00: spent $49.97, this call to gpt-5 could cost up to $0.09 — not sent; …". */
        public String message() {
            if (limit.isEmpty()) return "over budget: this call to " + modelId + " could cost up to " + usd(worstCaseUsd) + " — not sent";
            return String.format(Locale.ROOT, "%s budget %s: spent %s, this call to %s could cost up to %s — not sent; "
                            + "raise budget.%s or use a cheaper or local model",
                    limit, usd(limitUsd), usd(spentUsd), modelId, usd(worstCaseUsd), setting);
        }
    }

    /** The first limit crossed. */
    private Denial denial(ModelSpec spec, Spent spent, double worst) {
        String[][] limits = {
            {"daily", "daily_usd"}, {"run", "run_usd"}, {"task", "task_usd"}};
        OptionalDouble[] values = {budget.dailyUsd(), budget.runUsd(), budget.taskUsd()};
        double[] spentBy = {spent.todayUsd(), spent.runUsd(), spent.taskUsd()};
        for (int i = 0; i < limits.length; i++) {
            if (values[i].isPresent() && spentBy[i] + worst > values[i].getAsDouble()) {
                return new Denial(limits[i][0], limits[i][1], values[i].getAsDouble(), spentBy[i], worst, spec.id());
            }
        }
        return new Denial("", "", 0, 0, worst, spec.id());
    }

    /** USD as people read it: cents, or the significant digits of a fraction of a cent. */
    public static String usd(double v) {
        if (v != 0 && Math.abs(v) < 0.01) return String.format(Locale.ROOT, "$%.6f", v).replaceAll("0+$", "");
        return String.format(Locale.ROOT, "$%.2f", v);
    }
}
