package dev.ensemble.engine.pipeline;

import java.util.Objects;

/**
 * One step of a pipeline: a role and the prompt it is given.
 *
 * @param name   unique within its pipeline; {@code {steps.NAME}} in a later prompt is this step's output
 * @param role   a role id (planner, implementer, reviewer, librarian, or one the configuration adds)
 * @param prompt a template over {@link PromptTemplate}'s placeholders
 */
public record PipelineStep(String name, String role, String prompt) {
    public PipelineStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(prompt, "prompt");
    }
}
