package dev.ensemble.engine.run;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task of a run as the store holds it. Usage, cost and duration add up over all attempts; agent,
 * model, files and session are the latest attempt's.
 *
 * @param attempt      the attempt number at {@code fallbackStep} now running or last run (0: never started)
 * @param fallbackStep how far down the role's chain the task went
 * @param reason       why it failed, was rejected or skipped; while running a retry, why the previous attempt failed
 */
public record TaskRecord(String runId, String taskId, TaskStatus status, int attempt, int fallbackStep, String agent,
                         String model, String reason, Usage usage, double costUsd, Duration duration, List<String> files,
                         Optional<String> sessionId, Instant updatedAt) {
    public TaskRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(duration, "duration");
        files = List.copyOf(files);
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    static TaskRecord pending(String runId, String taskId, Instant at) {
        return new TaskRecord(runId, taskId, TaskStatus.PENDING, 0, 0, "", "", "", Usage.ZERO, 0, Duration.ZERO,
                List.of(), Optional.empty(), at);
    }

    /**
     * This record as it starts an attempt. {@code session} is the attempt's own agent session: empty
     * for a new attempt (an earlier attempt's session must not be resumed by this one), the
     * interrupted session when a crashed attempt is run again.
     */
    TaskRecord running(int attempt, int fallbackStep, String reason, Optional<String> session, Instant at) {
        return new TaskRecord(runId, taskId, TaskStatus.RUNNING, attempt, fallbackStep, agent, model, reason, usage, costUsd,
                duration, files, session, at);
    }

    /**
     * This record with one more attempt's outcome added. An outcome that ran no agent (the fallback
     * chain was exhausted, or the executor failed before choosing one) keeps the agent, model and
     * files of the last attempt that did, so the report still says who did what and why it failed.
     */
    TaskRecord after(TaskOutcome outcome, TaskStatus status, Instant at) {
        boolean ranAgent = !outcome.agent().isEmpty();
        return new TaskRecord(runId, taskId, status, attempt, fallbackStep, ranAgent ? outcome.agent() : agent,
                ranAgent ? outcome.model() : model, outcome.reason(), usage.plus(outcome.usage()), costUsd + outcome.costUsd(),
                duration.plus(outcome.duration()), ranAgent ? outcome.files() : files, outcome.sessionId().or(() -> sessionId), at);
    }

    TaskRecord skipped(String reason, Instant at) {
        return new TaskRecord(runId, taskId, TaskStatus.SKIPPED, attempt, fallbackStep, agent, model, reason, usage, costUsd,
                duration, files, sessionId, at);
    }
}
