package dev.ensemble.engine.run;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** How a run ended: {@link RunStatus#DONE} when every task was accepted, {@link RunStatus#FAILED} otherwise. */
public record RunResult(String runId, RunStatus status, List<TaskRecord> tasks) {
    public RunResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        tasks = List.copyOf(tasks);
    }

    public Usage usage() {
        return tasks.stream().map(TaskRecord::usage).reduce(Usage.ZERO, Usage::plus);
    }

    public double costUsd() {
        return tasks.stream().mapToDouble(TaskRecord::costUsd).sum();
    }

    /** Summed over tasks; tasks that ran in parallel count each, so this exceeds the wall time. */
    public Duration taskTime() {
        return tasks.stream().map(TaskRecord::duration).reduce(Duration.ZERO, Duration::plus);
    }

    public long count(TaskStatus status) {
        return tasks.stream().filter(t -> t.status() == status).count();
    }
}
