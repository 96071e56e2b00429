package dev.ensemble.agents;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How an agent run ended. {@code filesChanged} comes from git in the workspace, never from the
 * agent's own account. {@code costUsd} is what the CLI reported when it reports cost
 * ({@code costReported}), else tokens times catalog prices.
 */
public record AgentResult(Status status, String finalMessage, List<String> filesChanged, Usage usage, double costUsd,
                          boolean costReported, Optional<String> sessionId, int exitCode, Duration duration,
                          String failureReason, List<AgentEvent> events) {

    public enum Status { SUCCEEDED, FAILED, TIMED_OUT }

    public AgentResult {
        Objects.requireNonNull(status, "status");
        finalMessage = finalMessage == null ? "" : finalMessage;
        filesChanged = List.copyOf(filesChanged);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(sessionId, "sessionId");
        failureReason = failureReason == null ? "" : failureReason;
        events = List.copyOf(events);
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }

    public AgentResult withFilesChanged(List<String> files) {
        return new AgentResult(status, finalMessage, files, usage, costUsd, costReported, sessionId, exitCode, duration,
                failureReason, events);
    }
}
