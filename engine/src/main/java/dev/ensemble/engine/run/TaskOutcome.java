package dev.ensemble.engine.run;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one attempt came to.
 *
 * @param reason    why it failed or was rejected; a short note (or empty) when accepted
 * @param files     the paths the attempt changed
 * @param sessionId the agent's session, for resuming it after a crash
 */
public record TaskOutcome(Status status, String reason, String agent, String model, Usage usage, double costUsd,
                          Duration duration, List<String> files, Optional<String> sessionId) {
    public enum Status {
        /** Judged and merged into the run branch. */
        ACCEPTED,
        /** The agent or its tooling failed (error, timeout, tests red). */
        FAILED,
        /** The work was done but refused: the enforcer or the judge said no, or the merge conflicted. */
        REJECTED,
        /**
         * Nothing ran: no agent or model is left at this fallback step or any later one. Final: the
         * scheduler does not spend the remaining attempts and steps on it.
         */
        EXHAUSTED,
        /**
         * A budget (task, run or daily) refused the attempt's next request: the same model would be
         * refused the same way, so the scheduler does not retry it and goes to the next fallback
         * step, whose chain holds only models the refused request fits (see AgentTaskExecutor).
         */
        REFUSED
    }

    public TaskOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(duration, "duration");
        files = List.copyOf(files);
        Objects.requireNonNull(sessionId, "sessionId");
    }

    public static TaskOutcome accepted(String agent, String model, Usage usage, double costUsd, Duration duration, List<String> files) {
        return new TaskOutcome(Status.ACCEPTED, "", agent, model, usage, costUsd, duration, files, Optional.empty());
    }

    public static TaskOutcome failed(String reason, String agent, String model, Usage usage, double costUsd, Duration duration) {
        return new TaskOutcome(Status.FAILED, reason, agent, model, usage, costUsd, duration, List.of(), Optional.empty());
    }

    /** The fallback chain is spent; {@code reason} says why the last real attempt failed. */
    public static TaskOutcome exhausted(String reason) {
        return new TaskOutcome(Status.EXHAUSTED, reason, "", "", Usage.ZERO, 0, Duration.ZERO, List.of(), Optional.empty());
    }

    public boolean accepted() {
        return status == Status.ACCEPTED;
    }
}
