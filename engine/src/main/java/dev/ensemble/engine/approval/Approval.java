package dev.ensemble.engine.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One question that holds something up until someone answers it, as the store keeps it.
 *
 * @param id        short enough to type: {@code apr-3f9a2c1d}
 * @param runId     the run it holds up; empty when none
 * @param repo      the repository's root
 * @param question  for people, with the figures
 * @param expiresAt {@code createdAt + timeout}: when the default applies
 * @param decision  what was decided (by an answer, or by the timeout's default); empty while pending
 * @param decidedBy who decided; empty while pending
 * @param decidedAt when; empty while pending
 * @param reason    what the answerer gave as the reason; empty when none
 */
public record Approval(String id, String runId, String repo, ApprovalKind kind, String question, Instant createdAt,
                       Duration timeout, Instant expiresAt, Decision defaultDecision, ApprovalState state,
                       Optional<Decision> decision, Optional<Answerer> decidedBy, Optional<Instant> decidedAt, String reason) {
    public Approval {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(defaultDecision, "defaultDecision");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(decidedBy, "decidedBy");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean pending() {
        return state == ApprovalState.PENDING;
    }

    /** Whether what it holds up may go on: approved by someone, or expired with approval as its default. */
    public boolean approved() {
        return decision.orElse(null) == Decision.APPROVE;
    }

    /** One line for people: "approved by cli", "rejected by terminal (too dear)", "expired: rejected by timeout". */
    public String outcome() {
        if (pending()) return "pending";
        String by = decidedBy.map(Answerer::key).orElse("?");
        String word = approved() ? "approved" : "rejected";
        return (state == ApprovalState.EXPIRED ? "expired: " : "") + word + " by " + by + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
