package dev.ensemble.engine.memory;

import dev.ensemble.core.ModelSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A note before it is stored. {@link SharedMemory#add} redacts, trims and bounds it.
 *
 * @param runId  the run it belongs to; empty for a repository-wide note (one a person adds)
 * @param taskId the task (or role, such as planner or judge) that wrote it; may be empty
 * @param author the model id or agent id that wrote it, or {@code user}
 * @param vendor the author's vendor (anthropic, openai, google, …; see {@link Vendor}); may be empty
 * @param tags   free keywords; searched like the text
 */
public record NoteDraft(String runId, String taskId, String author, String vendor, NoteKind kind, String text, List<String> tags) {
    public NoteDraft {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        runId = runId == null ? "" : runId.trim();
        taskId = taskId == null ? "" : taskId.trim();
        author = author == null || author.isBlank() ? "unknown" : author.trim();
        vendor = vendor == null ? "" : vendor.trim();
        tags = tags == null ? List.of() : List.copyOf(tags);
        if (text.isBlank()) throw new IllegalArgumentException("a note needs text");
    }

    /** A note written by a catalog model: author is its id, vendor comes from its family. */
    public static NoteDraft byModel(ModelSpec model, String runId, String taskId, NoteKind kind, String text, List<String> tags) {
        return new NoteDraft(runId, taskId, model.id(), Vendor.of(model), kind, text, tags);
    }

    /** A note a person adds from the command line: author {@code user}, no vendor. */
    public static NoteDraft byUser(Optional<String> runId, NoteKind kind, String text, List<String> tags) {
        return new NoteDraft(runId.orElse(""), "", "user", "", kind, text, tags);
    }
}
