package dev.ensemble.engine.run;

/**
 * Does one attempt of one task: routes it, runs the agent in a worktree branched from the run
 * branch, enforces file ownership, judges and merges. Called on a virtual thread; blocking is fine.
 *
 * <p><b>Idempotent per (run, task, attempt, fallback step).</b> The scheduler writes "running with
 * attempt n" before the call and the outcome after it, so a crash in between makes
 * {@link Scheduler#resume} call again with the very same request. An implementation must then
 * pick up what the interrupted call left (resume the agent session by id, reuse or reset the
 * task's worktree, not merge twice) rather than assume a clean slate.
 *
 * <p>An ordinary failure is an outcome ({@link TaskOutcome.Status#FAILED} with the reason), not an
 * exception. A {@link RuntimeException} is still taken as a failed attempt; an {@link Error} stops
 * the whole run as a crash would, leaving the store as it was for a resume.
 */
@FunctionalInterface
public interface TaskExecutor {
    TaskOutcome execute(TaskRequest request);
}
