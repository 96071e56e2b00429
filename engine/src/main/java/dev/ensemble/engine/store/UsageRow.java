package dev.ensemble.engine.store;

/**
 * One group of ledger rows summed. {@code key} is the group's value as stored (a model id, a UTC
 * date such as 2026-11-21, a role...), empty where calls had none. Latency means cover every call;
 * the time-to-first-token mean covers streamed calls only and is 0 when there were none.
 */
public record UsageRow(String key, long calls, long failures, long inputTokens, long outputTokens,
                       long cachedInputTokens, double costUsd, double meanLatencyMs, double meanTimeToFirstTokenMs) {
}
