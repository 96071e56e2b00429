package dev.ensemble.engine.pipeline;

import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A pipeline run: the steps that ran, in order, and the synthesis when every step succeeded. A
 * failed step is the last one listed; the steps after it did not run.
 */
public record PipelineResult(PipelineDefinition pipeline, String input, Instant startedAt, List<StepResult> steps,
                             Optional<StepResult> synthesis) {
    public PipelineResult {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(startedAt, "startedAt");
        steps = List.copyOf(steps);
        Objects.requireNonNull(synthesis, "synthesis");
    }

    public boolean succeeded() {
        return failure().isEmpty() && synthesis.isPresent();
    }

    /** The step (or synthesis) that stopped the pipeline. */
    public Optional<StepResult> failure() {
        return steps.stream().filter(s -> !s.succeeded()).findFirst().or(() -> synthesis.filter(s -> !s.succeeded()));
    }

    /** The result document's body: the synthesis, or "" when the pipeline stopped before it. */
    public String result() {
        return synthesis.filter(StepResult::succeeded).map(StepResult::output).orElse("");
    }

    public Usage usage() {
        Usage total = Usage.ZERO;
        for (StepResult s : all()) total = total.plus(s.usage());
        return total;
    }

    public double costUsd() {
        return all().stream().mapToDouble(StepResult::costUsd).sum();
    }

    /** The steps, then the synthesis if it ran. */
    public List<StepResult> all() {
        return synthesis.map(s -> java.util.stream.Stream.concat(steps.stream(), java.util.stream.Stream.of(s)).toList()).orElse(steps);
    }
}
