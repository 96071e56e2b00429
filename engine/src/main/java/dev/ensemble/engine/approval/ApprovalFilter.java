package dev.ensemble.engine.approval;

import java.util.Objects;
import java.util.Optional;

/**
 * Which approvals {@link Approvals#list} returns, newest first.
 *
 * @param state only those in this state; empty: all
 * @param runId only those of this run; empty: all
 * @param limit at most this many
 */
public record ApprovalFilter(Optional<ApprovalState> state, Optional<String> runId, int limit) {
    public static final int DEFAULT_LIMIT = 100;

    public ApprovalFilter {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(runId, "runId");
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
    }

    public static ApprovalFilter all() {
        return new ApprovalFilter(Optional.empty(), Optional.empty(), DEFAULT_LIMIT);
    }

    public static ApprovalFilter pending() {
        return all().withState(ApprovalState.PENDING);
    }

    public ApprovalFilter withState(ApprovalState s) {
        return new ApprovalFilter(Optional.of(s), runId, limit);
    }

    public ApprovalFilter withRun(String run) {
        return new ApprovalFilter(state, Optional.of(run), limit);
    }

    public ApprovalFilter withLimit(int n) {
        return new ApprovalFilter(state, runId, n);
    }
}
