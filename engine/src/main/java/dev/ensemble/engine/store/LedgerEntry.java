package dev.ensemble.engine.store;

import dev.ensemble.llm.CallRecord;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * One row of the ledger as stored (table {@code model_calls}). {@code ttftMs} is present for
 * streamed calls only; {@code error} is redacted text and empty on success. {@code keyId} (the
 * gateway key's public id) and {@code clientWire} are empty for calls that did not come through
 * the gateway.
 */
public record LedgerEntry(long id, Instant startedAt, String command, String runId, String taskId, String role,
                          String provider, String model, boolean streamed, long inputTokens, long outputTokens,
                          long cachedInputTokens, double costUsd, long latencyMs, OptionalLong ttftMs,
                          CallRecord.Outcome outcome, String errorKind, String error, int attempt, int fallbackStep,
                          String keyId, String clientWire) {

    /** A row of a call that did not come through the gateway. */
    public LedgerEntry(long id, Instant startedAt, String command, String runId, String taskId, String role,
                       String provider, String model, boolean streamed, long inputTokens, long outputTokens,
                       long cachedInputTokens, double costUsd, long latencyMs, OptionalLong ttftMs,
                       CallRecord.Outcome outcome, String errorKind, String error, int attempt, int fallbackStep) {
        this(id, startedAt, command, runId, taskId, role, provider, model, streamed, inputTokens, outputTokens,
                cachedInputTokens, costUsd, latencyMs, ttftMs, outcome, errorKind, error, attempt, fallbackStep, "", "");
    }
}
