package dev.ensemble.core.routing;

/**
 * What happened when one model served one kind of task: passed and failed verdicts, and the mean
 * cost and duration of those tasks (kept for statistics; the quality estimate uses only the counts).
 */
public record Evidence(long successes, long failures, double meanCostUsd, double meanSeconds) {
    public static final Evidence NONE = new Evidence(0, 0, 0, 0);

    public Evidence {
        if (successes < 0 || failures < 0) throw new IllegalArgumentException("outcome counts cannot be negative");
    }

    public long outcomes() {
        return successes + failures;
    }

    /** This evidence with one more outcome folded in (running means). */
    public Evidence plus(boolean passed, double costUsd, double seconds) {
        long n = outcomes() + 1;
        return new Evidence(successes + (passed ? 1 : 0), failures + (passed ? 0 : 1),
                meanCostUsd + (costUsd - meanCostUsd) / n, meanSeconds + (seconds - meanSeconds) / n);
    }
}
