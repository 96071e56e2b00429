package dev.ensemble.engine.converse;

import dev.ensemble.llm.ModelException;
import java.util.Objects;

/**
 * A panelist that gave no answer (every model of its chain failed); the consensus goes on without it.
 *
 * @param reason already redacted
 */
public record PanelFailure(String label, String panelist, ModelException.Kind kind, String reason) {
    public PanelFailure {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(panelist, "panelist");
        Objects.requireNonNull(kind, "kind");
        reason = reason == null ? "" : reason;
    }
}
