package dev.ensemble.engine.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One persisted event of a run: {@code id} grows with every event of a store (never reused), which
 * is what a client resumes from. {@code data} is a JSON object (text), redacted before it was stored.
 * Kinds: {@code run.accepted}, {@code run.started}, {@code task.started}, {@code task.retrying},
 * {@code task.finished}, {@code task.skipped}, {@code agent.tool}, {@code agent.command},
 * {@code agent.message}, {@code agent.error}, {@code run.finished} (the scheduler's end) and
 * {@code run.ended} (the whole command's end, with its exit status: the last event of a run's execution).
 */
public record RunEvent(long id, Instant at, String runId, String taskId, String kind, String data) {
    public static final String RUN_ENDED = "run.ended";
    public static final String RUN_ACCEPTED = "run.accepted";

    public RunEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(runId, "runId");
        taskId = taskId == null ? "" : taskId;
        Objects.requireNonNull(kind, "kind");
        data = data == null || data.isBlank() ? "{}" : data;
    }
}
