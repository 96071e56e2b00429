package dev.ensemble.gateway.attempt;

import dev.ensemble.core.Usage;
import java.util.Optional;

/**
 * One agent attempt's key as its owner (the run) sees it, wherever the gateway runs: in this
 * process ({@link Attempt}) or in a running {@code ensemble gateway} ({@link RemoteAttempts}).
 * Closing it revokes the key.
 */
public interface IssuedAttempt extends AutoCloseable {
    /** The key's public id ("att-…"). */
    String keyId();

    /** What the agent presents as its API key; only ever put into its private environment or config. */
    String secret();

    /** The first refusal that stopped the attempt, if one did. */
    Optional<Refusal> refusal();

    /** Tokens of every upstream call of the attempt, as metered by the gateway. */
    Usage usage();

    /** The sum of the attempt's ledger rows. */
    double costUsd();

    /** The tool calls the gateway's auditor flagged in the attempt's answers (only this process's gateway keeps them). */
    default java.util.List<ToolCallAuditor.Flag> flagged() {
        return java.util.List.of();
    }

    /** Upstream calls made (a retry or a fallback step counts). */
    int calls();

    /** A redacted summary of the attempt's conversation, for a handover ({@link ConversationSummary}). */
    String conversationSummary();

    @Override
    void close();
}
