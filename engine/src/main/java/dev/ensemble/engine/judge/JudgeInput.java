package dev.ensemble.engine.judge;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the judge looks at for one task.
 *
 * @param worktree     the task's worktree, with its change in place (tests and lint run there)
 * @param diff         {@code git diff} of the task's change: what the reviewer reads
 * @param changedFiles repository-relative paths the change touched
 */
public record JudgeInput(Plan plan, PlanTask task, Path worktree, String diff, List<String> changedFiles) {
    public JudgeInput {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(worktree, "worktree");
        diff = diff == null ? "" : diff;
        changedFiles = List.copyOf(changedFiles);
    }
}
