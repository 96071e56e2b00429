package dev.ensemble.core.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the planner turned a request into: the spec files to write first, then the tasks, a DAG
 * through {@link PlanTask#dependsOn()}. A Plan is only well-formed; {@link PlanValidator} says
 * whether it can be run.
 */
public record Plan(String request, List<SpecFile> specs, List<PlanTask> tasks) {
    public Plan {
        Objects.requireNonNull(request, "request");
        specs = List.copyOf(specs);
        tasks = List.copyOf(tasks);
    }

    public Optional<PlanTask> task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
