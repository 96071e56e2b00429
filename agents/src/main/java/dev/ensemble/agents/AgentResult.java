package dev.ensemble.agents;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How an agent run ended. {@code filesChanged} comes from git in the workspace, never from the
 * agent's own account. {@code costUsd} is always the reported tokens at the catalog's prices for
 * the model the agent was given: what the ledger, budgets and reports use. {@code reportedCostUsd}
 * is the CLI's own figure where it prints one (from its own price table, which knows nothing of
 * ensemble's catalog: a self-hosted model is not free to it), to show beside it and nothing more.
 */
public record AgentResult(Status status, String finalMessage, List<String> filesChanged, Usage usage, double costUsd,
                          OptionalDouble reportedCostUsd, Optional<String> sessionId, int exitCode, Duration duration,
                          String failureReason, List<AgentEvent> events) {

    public enum Status { SUCCEEDED, FAILED, TIMED_OUT }

    public AgentResult {
        Objects.requireNonNull(status, "status");
        finalMessage = finalMessage == null ? "" : finalMessage;
        filesChanged = List.copyOf(filesChanged);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(reportedCostUsd, "reportedCostUsd");
        Objects.requireNonNull(sessionId, "sessionId");
        failureReason = failureReason == null ? "" : failureReason;
        events = List.copyOf(events);
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }

    public AgentResult withFilesChanged(List<String> files) {
        return new AgentResult(status, finalMessage, files, usage, costUsd, reportedCostUsd, sessionId, exitCode, duration,
                failureReason, events);
    }
}
