package dev.ensemble.agents.workspace;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one task runs: a git worktree of the repository on its own branch
 * {@code ensemble/<run>/<task>}, started from {@code baseCommit}. {@code gitDir} is the worktree's
 * private git directory ({@code <common-dir>/worktrees/<name>}), recorded at creation so ensemble's
 * own git commands never follow a {@code .git} file the agent may have rewritten.
 */
public record Workspace(Path repoRoot, Path directory, String branch, String baseCommit, String runId, String taskId,
                        Path gitDir) {
    public Workspace {
        Objects.requireNonNull(repoRoot, "repoRoot");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(baseCommit, "baseCommit");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(gitDir, "gitDir");
    }

    /** A workspace whose git directory is found through its {@code .git} file (git accepts a gitfile as --git-dir). */
    public Workspace(Path repoRoot, Path directory, String branch, String baseCommit, String runId, String taskId) {
        this(repoRoot, directory, branch, baseCommit, runId, taskId, directory.resolve(".git"));
    }
}
