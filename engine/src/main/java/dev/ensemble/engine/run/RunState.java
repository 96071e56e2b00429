package dev.ensemble.engine.run;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import dev.ensemble.core.plan.Plan;

/**
 * A run as the store holds it.
 *
 * @param plan  empty until the planner's plan was saved
 * @param tasks in plan order
 */
public record RunState(String runId, String request, Optional<Plan> plan, RunStatus status, List<TaskRecord> tasks,
                       Instant createdAt, Instant updatedAt, RunKind kind) {
    public RunState {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(status, "status");
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public Optional<TaskRecord> task(String taskId) {
        return tasks.stream().filter(t -> t.taskId().equals(taskId)).findFirst();
    }
}
