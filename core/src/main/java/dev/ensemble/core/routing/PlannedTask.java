package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.Objects;

/** A task not yet run, as a forecast sees it. */
public record PlannedTask(String label, TaskKind kind, long estInputTokens, long estOutputTokens) {
    public PlannedTask {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        if (estInputTokens < 0 || estOutputTokens < 0) throw new IllegalArgumentException("token estimates cannot be negative");
    }
}
