package dev.ensemble.engine.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * A named sequence of role steps, each fed the output of the ones before it, closed by a synthesis
 * that turns their work into one result document.
 *
 * @param description one line for {@code ensemble pipeline --list}; may be empty
 * @param synthesis   the closing step (its name is {@link #SYNTHESIS})
 * @param source      where it was defined: {@link #BUILT_IN} or the configuration file that set it
 */
public record PipelineDefinition(String name, String description, List<PipelineStep> steps, PipelineStep synthesis,
                                 String source) {
    public static final String BUILT_IN = "built-in";
    public static final String SYNTHESIS = "synthesis";

    public PipelineDefinition {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        steps = List.copyOf(steps);
        if (steps.isEmpty()) throw new IllegalArgumentException("a pipeline needs at least one step");
        Objects.requireNonNull(synthesis, "synthesis");
        Objects.requireNonNull(source, "source");
    }

    public boolean builtIn() {
        return source.equals(BUILT_IN);
    }

    /** The roles in order, synthesis last: {@code planner → implementer → reviewer → librarian → planner}. */
    public String outline() {
        StringBuilder out = new StringBuilder();
        for (PipelineStep step : steps) out.append(step.name().equals(step.role()) ? step.role() : step.name() + " (" + step.role() + ")").append(" → ");
        return out.append(SYNTHESIS).append(" (").append(synthesis.role()).append(')').toString();
    }
}
