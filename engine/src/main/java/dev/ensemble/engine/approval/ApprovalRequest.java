package dev.ensemble.engine.approval;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Approvals#request} records as a pending approval.
 *
 * @param runId           the run it holds up; empty for a command that is not a run ({@code ask})
 * @param repo            the repository's root, so that a daemon serving many can say which
 * @param question        for people, with the figures: "run X could cost up to $4.10, above ... $2.00"
 * @param timeout         how long it waits for an answer before {@code defaultDecision} applies
 * @param defaultDecision what a timeout decides
 */
public record ApprovalRequest(String runId, String repo, ApprovalKind kind, String question, Duration timeout,
                              Decision defaultDecision) {
    public ApprovalRequest {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(defaultDecision, "defaultDecision");
        if (question.isBlank()) throw new IllegalArgumentException("an approval needs a question");
        if (timeout.isNegative()) throw new IllegalArgumentException("an approval's timeout cannot be negative");
    }

    /** Rejected when nobody answers in time: what every approval ensemble asks for today defaults to. */
    public static ApprovalRequest rejectOnTimeout(String runId, String repo, ApprovalKind kind, String question, Duration timeout) {
        return new ApprovalRequest(runId, repo, kind, question, timeout, Decision.REJECT);
    }
}
