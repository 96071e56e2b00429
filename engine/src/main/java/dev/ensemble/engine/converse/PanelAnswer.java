package dev.ensemble.engine.converse;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.FailedAttempt;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One panelist's answer to a consensus question.
 *
 * @param label    "A", "B", … in panel order: how a blind synthesizer knows the answer
 * @param panelist the model (or alias) the panel asked
 * @param model    the catalog id of the model that answered (after any fallback)
 * @param failures the attempts that did not answer before this one did
 */
public record PanelAnswer(String label, String panelist, String model, String text, Usage usage, double costUsd, Duration latency,
                          List<FailedAttempt> failures) {
    public PanelAnswer {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(panelist, "panelist");
        Objects.requireNonNull(model, "model");
        text = text == null ? "" : text;
        Objects.requireNonNull(usage, "usage");
        latency = latency == null ? Duration.ZERO : latency;
        failures = List.copyOf(failures);
    }

    /** Whether another model than the one asked gave this answer. */
    public boolean fellBack() {
        return !panelist.equals(model) && !failures.isEmpty();
    }
}
