package dev.ensemble.engine.store;

import dev.ensemble.core.TaskKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One finished task as the router learns from it.
 *
 * @param agent    the coding agent that drove the model; empty for a plain model call
 * @param features a short description of the task for later analysis (token counts, a few
 *                 keywords), never the task text itself: it may quote secrets or private code
 * @param passed   the verdict: the agent succeeded and its change was accepted
 */
public record Outcome(Instant recordedAt, String runId, String taskId, String model, String agent, TaskKind kind,
                      String features, boolean passed, double costUsd, Duration duration) {
    /** Longest features text kept; the column is for a summary, not the task. */
    static final int MAX_FEATURES = 500;

    public Outcome {
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(duration, "duration");
        runId = runId == null ? "" : runId;
        taskId = taskId == null ? "" : taskId;
        agent = agent == null ? "" : agent;
        features = features == null ? "" : features.length() > MAX_FEATURES ? features.substring(0, MAX_FEATURES) : features;
        if (costUsd < 0 || !Double.isFinite(costUsd)) throw new IllegalArgumentException("cost must be a non-negative number");
    }
}
