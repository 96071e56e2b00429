package dev.ensemble.engine.memory;

import java.time.Instant;
import java.util.List;

/** A stored note: its text is already redacted and bounded. */
public record Note(long id, Instant createdAt, String runId, String taskId, String author, String vendor, NoteKind kind,
                   String text, List<String> tags) {
    public Note {
        tags = List.copyOf(tags);
    }

    /** {@code decision by claude-sonnet-4-5, planner}: who wrote it, for people and for prompts. */
    public String attribution() {
        return kind.key() + " by " + author + (taskId.isEmpty() ? "" : ", " + taskId);
    }
}
