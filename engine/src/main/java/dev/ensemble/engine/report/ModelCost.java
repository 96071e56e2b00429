package dev.ensemble.engine.report;

/** A run's ledger rows for one model, summed. */
public record ModelCost(String model, long calls, long failures, long inputTokens, long outputTokens, long cachedInputTokens,
                        double costUsd) {
}
