package dev.ensemble.engine.converse;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A consensus: the panel's answers (in panel order), the panelists that failed, and the synthesis.
 *
 * @param synthesis absent when fewer than two answers came back or the synthesizer failed; {@code problem} says which
 * @param problem   "" when the consensus was reached, else why not (already redacted)
 */
public record ConsensusResult(String question, boolean blind, List<PanelAnswer> answers, List<PanelFailure> failures,
                              Optional<Synthesis> synthesis, String problem) {
    public ConsensusResult {
        Objects.requireNonNull(question, "question");
        answers = List.copyOf(answers);
        failures = List.copyOf(failures);
        Objects.requireNonNull(synthesis, "synthesis");
        problem = problem == null ? "" : problem;
    }

    public boolean reached() {
        return synthesis.isPresent();
    }

    /** What every call of the consensus cost, the synthesis included. */
    public double totalCostUsd() {
        return answers.stream().mapToDouble(PanelAnswer::costUsd).sum() + synthesis.map(Synthesis::costUsd).orElse(0.0);
    }
}
