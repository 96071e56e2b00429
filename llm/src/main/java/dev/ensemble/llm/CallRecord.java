package dev.ensemble.llm;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.time.Instant;

/**
 * One attempt at one model, as the ledger stores it. {@code error} is empty on success and is
 * redacted text otherwise; a streamed answer that broke off is an error even though text arrived.
 */
public record CallRecord(Instant startedAt, CallContext context, String provider, String modelId, boolean streamed,
                         Usage usage, double costUsd, Duration latency, Duration timeToFirstToken, Outcome outcome,
                         String errorKind, String error) {

    public enum Outcome { OK, ERROR }

    /**
     * The {@code errorKind} of an attempt whose caller stopped listening mid-stream (a gateway
     * client that closed its connection): the tokens seen so far are its usage and cost.
     */
    public static final String CLIENT_GONE = "CLIENT_GONE";
}
