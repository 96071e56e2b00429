package dev.ensemble.engine.run;

import dev.ensemble.core.plan.PlanTask;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt asked of a {@link TaskExecutor}.
 *
 * @param attempt         1 for the first try at this fallback step, 2 for the retry, ...
 * @param fallbackStep    0 for the role's first choice; n for the n-th next model or agent in the
 *                        role's chain, which the executor picks
 * @param previousFailure why the attempt before this one failed, for the prompt; empty on the first
 * @param resumeSession   the agent session this very attempt had started before a crash interrupted
 *                        it: resume it rather than start over; empty otherwise
 */
public record TaskRequest(String runId, PlanTask task, int attempt, int fallbackStep, Optional<String> previousFailure,
                          Optional<String> resumeSession) {
    public TaskRequest {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(previousFailure, "previousFailure");
        Objects.requireNonNull(resumeSession, "resumeSession");
        if (attempt < 1) throw new IllegalArgumentException("attempt starts at 1");
        if (fallbackStep < 0) throw new IllegalArgumentException("fallbackStep cannot be negative");
    }

    /** An attempt that is not resuming anything. */
    public TaskRequest(String runId, PlanTask task, int attempt, int fallbackStep, Optional<String> previousFailure) {
        this(runId, task, attempt, fallbackStep, previousFailure, Optional.empty());
    }
}
