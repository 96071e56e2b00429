package dev.ensemble.gateway.keys;

import java.util.Objects;

/** A key's spending limit: {@code usd} per {@code period}. */
public record KeyBudget(double usd, BudgetPeriod period) {
    public KeyBudget {
        Objects.requireNonNull(period, "period");
        if (!(usd > 0) || Double.isInfinite(usd)) throw new IllegalArgumentException("a key budget must be a positive amount of USD, got " + usd);
    }
}
