package dev.ensemble.agents.builtin;

import java.util.Objects;
import java.util.Optional;

/**
 * What one tool call gave back: the text for the model, whether it failed, the workspace path it
 * changed (only when bytes on disk actually changed), and the summary when it was finish.
 */
record ToolOutcome(String content, boolean isError, Optional<String> changedPath, Optional<String> finishSummary) {
    ToolOutcome {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(changedPath, "changedPath");
        Objects.requireNonNull(finishSummary, "finishSummary");
    }

    static ToolOutcome ok(String content) {
        return new ToolOutcome(content, false, Optional.empty(), Optional.empty());
    }

    static ToolOutcome error(String message) {
        return new ToolOutcome(message, true, Optional.empty(), Optional.empty());
    }

    static ToolOutcome changed(String content, String path) {
        return new ToolOutcome(content, false, Optional.of(path), Optional.empty());
    }

    static ToolOutcome finished(String summary) {
        return new ToolOutcome("finished", false, Optional.empty(), Optional.of(summary));
    }

    ToolOutcome withContent(String newContent) {
        return new ToolOutcome(newContent, isError, changedPath, finishSummary);
    }
}
