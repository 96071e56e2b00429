package dev.ensemble.agents.workspace;

import java.nio.file.Path;

/**
 * Where one task runs: a git worktree of the repository on its own branch
 * {@code ensemble/<run>/<task>}, started from {@code baseCommit}.
 */
public record Workspace(Path repoRoot, Path directory, String branch, String baseCommit, String runId, String taskId) {}
