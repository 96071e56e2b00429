package dev.ensemble.engine.run;

import dev.ensemble.core.plan.PlanTask;

/**
 * Progress of a run, for the CLI to print. Called after the store has the change. Task callbacks come
 * from the tasks' virtual threads, several at once: implementations must be thread-safe and quick,
 * and must not throw: an exception from a callback stops the run as a crash would (resume finishes it).
 */
public interface RunListener {
    RunListener NONE = new RunListener() {};

    /** An attempt is about to be handed to the executor. */
    default void taskStarted(String runId, PlanTask task, int attempt, int fallbackStep) {}

    /** An attempt failed or was rejected and the task will try again. */
    default void taskRetrying(String runId, TaskRecord failedAttempt) {}

    /** The task is accepted, or failed or rejected for good. */
    default void taskFinished(String runId, TaskRecord task) {}

    default void taskSkipped(String runId, TaskRecord task) {}

    default void runFinished(RunResult result) {}

    /** Both listeners, {@code first} first. */
    static RunListener both(RunListener first, RunListener second) {
        return new RunListener() {
            @Override public void taskStarted(String runId, PlanTask task, int attempt, int fallbackStep) {
                first.taskStarted(runId, task, attempt, fallbackStep);
                second.taskStarted(runId, task, attempt, fallbackStep);
            }

            @Override public void taskRetrying(String runId, TaskRecord failedAttempt) {
                first.taskRetrying(runId, failedAttempt);
                second.taskRetrying(runId, failedAttempt);
            }

            @Override public void taskFinished(String runId, TaskRecord task) {
                first.taskFinished(runId, task);
                second.taskFinished(runId, task);
            }

            @Override public void taskSkipped(String runId, TaskRecord task) {
                first.taskSkipped(runId, task);
                second.taskSkipped(runId, task);
            }

            @Override public void runFinished(RunResult result) {
                first.runFinished(result);
                second.runFinished(result);
            }
        };
    }
}
