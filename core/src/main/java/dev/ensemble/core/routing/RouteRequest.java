package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.Objects;

/** One decision to make: the task, its kind, the tokens it is expected to take, and the constraints. */
public record RouteRequest(String task, TaskKind kind, long estInputTokens, long estOutputTokens, Constraints constraints) {
    public RouteRequest {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(constraints, "constraints");
        if (estInputTokens < 0 || estOutputTokens < 0) throw new IllegalArgumentException("token estimates cannot be negative");
    }
}
