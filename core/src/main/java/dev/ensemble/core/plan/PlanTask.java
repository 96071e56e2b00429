package dev.ensemble.core.plan;

import dev.ensemble.core.TaskKind;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task of a plan.
 *
 * @param id          unique within the plan; what {@code depends_on} names
 * @param title       one line for people
 * @param kind        what the task asks of a model (routing weighs this)
 * @param role        the team role that does it ({@code implementer}, {@code reviewer}...)
 * @param agent       a hint: the coding agent to use
 * @param model       a hint: the model to use
 * @param files       the paths or globs the task owns exclusively while it runs
 * @param dependsOn   ids of tasks that must be accepted before this one starts
 * @param acceptance  what must hold for the task to pass
 * @param testFirst   the task implements code whose tests an earlier task writes (TDD): see
 *                    {@link PlanValidator} for how the plan must express that
 * @param description the full instructions given to the agent
 */
public record PlanTask(String id, String title, TaskKind kind, String role, Optional<String> agent, Optional<String> model,
                       List<String> files, List<String> dependsOn, String acceptance, boolean testFirst, String description) {
    public PlanTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(model, "model");
        files = List.copyOf(files);
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(acceptance, "acceptance");
        Objects.requireNonNull(description, "description");
    }
}
