package dev.ensemble.engine.report;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One task as the report shows it; the scheduler's records map onto this.
 *
 * @param agent         the coding agent that did the last attempt (empty: none ran)
 * @param model         the model behind it
 * @param verdict       the judge's summary (empty when the task was never judged)
 * @param failureReason why the task failed or was skipped; empty when it passed
 * @param transcripts   the task's transcript files (attempts, then review), relative to the repository root
 */
public record TaskLine(String id, String title, Status status, String agent, String model, int attempts, String verdict,
                       List<String> files, long inputTokens, long outputTokens, double costUsd, Duration duration,
                       String failureReason, List<String> transcripts) {
    public enum Status { PASSED, FAILED, SKIPPED }

    public TaskLine {
        Objects.requireNonNull(id, "id");
        title = title == null ? "" : title;
        Objects.requireNonNull(status, "status");
        agent = agent == null ? "" : agent;
        model = model == null ? "" : model;
        verdict = verdict == null ? "" : verdict;
        files = List.copyOf(files);
        duration = duration == null ? Duration.ZERO : duration;
        failureReason = failureReason == null ? "" : failureReason;
        transcripts = transcripts == null ? List.of() : List.copyOf(transcripts);
    }

    /** A line without transcripts (a report from before they were kept, or a task that never ran). */
    public TaskLine(String id, String title, Status status, String agent, String model, int attempts, String verdict,
                    List<String> files, long inputTokens, long outputTokens, double costUsd, Duration duration, String failureReason) {
        this(id, title, status, agent, model, attempts, verdict, files, inputTokens, outputTokens, costUsd, duration, failureReason,
                List.of());
    }

    public TaskLine withTranscripts(List<String> newTranscripts) {
        return new TaskLine(id, title, status, agent, model, attempts, verdict, files, inputTokens, outputTokens, costUsd, duration,
                failureReason, newTranscripts);
    }

    public boolean passed() {
        return status == Status.PASSED;
    }
}
