package dev.ensemble.engine.store;

/** Every ledger row in a period summed: the same sums as a {@link UsageRow}, without a group. */
public record Totals(long calls, long failures, long inputTokens, long outputTokens, long cachedInputTokens,
                     double costUsd, double meanLatencyMs, double meanTimeToFirstTokenMs) {
    public static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, 0, 0);
}
