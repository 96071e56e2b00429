package dev.ensemble.gateway.observe;

import java.util.Objects;

/**
 * One budget's money left, for the {@code ensemble_budget_left_usd} gauge: the day's budget
 * ({@link Scope#DAY}, {@code name} empty) or one virtual key's ({@link Scope#KEY}, {@code name}
 * the key's name or public id — never its secret).
 */
public record BudgetLeft(Scope scope, String name, double leftUsd) {
    public enum Scope {
        DAY("day"), KEY("key");

        private final String label;

        Scope(String label) { this.label = label; }

        public String label() { return label; }
    }

    public BudgetLeft {
        Objects.requireNonNull(scope, "scope");
        name = name == null ? "" : name;
    }

    public static BudgetLeft day(double leftUsd) {
        return new BudgetLeft(Scope.DAY, "", leftUsd);
    }

    public static BudgetLeft key(String keyName, double leftUsd) {
        return new BudgetLeft(Scope.KEY, keyName, leftUsd);
    }
}
