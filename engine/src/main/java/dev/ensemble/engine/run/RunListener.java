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
}
