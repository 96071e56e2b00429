package dev.ensemble.core.routing;

/** What has been spent so far, in USD, against each budget (today, this run, this task), from the ledger. */
public record Spent(double todayUsd, double runUsd, double taskUsd) {
    public static final Spent NOTHING = new Spent(0, 0, 0);

    public Spent {
        if (todayUsd < 0 || runUsd < 0 || taskUsd < 0) throw new IllegalArgumentException("spending cannot be negative");
    }
}
