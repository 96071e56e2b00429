package dev.ensemble.core.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * May a call whose worst-case cost is known be made? A pure function of the budget, what was spent
 * and the worst case, so the caller checks before sending and a denied call is never sent.
 *
 * @param verdict  {@link Verdict#ALLOW}, {@link Verdict#WARN} (allowed, but at or past the warning
 *                 fraction of some limit) or {@link Verdict#DENY} (it could cross a hard limit)
 * @param messages one line per limit that warned or denied, e.g. "daily budget: $48.10 spent +
 *                 $2.40 worst case > $50.00 limit"
 */
public record BudgetCheck(Verdict verdict, List<String> messages) {
    public enum Verdict { ALLOW, WARN, DENY }

    public BudgetCheck {
        Objects.requireNonNull(verdict, "verdict");
        messages = List.copyOf(messages);
    }

    public boolean allowed() {
        return verdict != Verdict.DENY;
    }

    public static BudgetCheck check(Budget budget, Spent spent, double worstCaseUsd) {
        if (worstCaseUsd < 0) throw new IllegalArgumentException("worst-case cost cannot be negative");
        List<String> denials = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Budget.Limit limit : budget.limits(spent)) {
            double after = limit.spent() + worstCaseUsd;
            String line = String.format(Locale.ROOT, "%s budget: %s spent + %s worst case", limit.name(),
                    usd(limit.spent()), usd(worstCaseUsd));
            if (after > limit.usd()) {
                denials.add(line + " > " + usd(limit.usd()) + " limit");
            } else if (after >= budget.warnAt() * limit.usd()) {
                warnings.add(String.format(Locale.ROOT, "%s = %.0f%% of the %s limit", line, 100 * after / Math.max(limit.usd(), 1e-12), usd(limit.usd())));
            }
        }
        if (!denials.isEmpty()) return new BudgetCheck(Verdict.DENY, denials);
        if (!warnings.isEmpty()) return new BudgetCheck(Verdict.WARN, warnings);
        return new BudgetCheck(Verdict.ALLOW, List.of());
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, "$%.2f", v);
    }
}
