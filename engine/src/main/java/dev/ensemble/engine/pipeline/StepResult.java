package dev.ensemble.engine.pipeline;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.FailedAttempt;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one step (or the synthesis) did.
 *
 * @param number   1-based position among the steps; 0 for the synthesis
 * @param model    the model that answered, or for a failed step the one it was cast to first ("" when none could be)
 * @param prompt   the prompt as sent, placeholders filled
 * @param failures attempts that failed before the answer (or all of them, for a failed step)
 * @param error    why the step failed; empty when it succeeded
 */
public record StepResult(int number, PipelineStep step, String roleName, String model, String prompt, String output,
                         Usage usage, double costUsd, Duration latency, List<FailedAttempt> failures, String error) {
    public StepResult {
        Objects.requireNonNull(step, "step");
        roleName = roleName == null ? step.role() : roleName;
        model = model == null ? "" : model;
        prompt = prompt == null ? "" : prompt;
        output = output == null ? "" : output;
        usage = usage == null ? Usage.ZERO : usage;
        latency = latency == null ? Duration.ZERO : latency;
        failures = List.copyOf(failures);
        error = error == null ? "" : error;
    }

    public boolean succeeded() {
        return error.isEmpty();
    }

    public boolean synthesis() {
        return number == 0;
    }
}
