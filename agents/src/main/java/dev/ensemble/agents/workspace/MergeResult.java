package dev.ensemble.agents.workspace;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of merging a task branch into a run branch. On {@code CONFLICT} nothing was changed
 * and {@code conflicts} lists the paths; {@code commit} is the run branch's tip afterwards.
 */
public record MergeResult(Status status, String targetBranch, Optional<String> commit, List<String> conflicts) {
    public enum Status { MERGED, NOTHING_TO_MERGE, CONFLICT }

    public MergeResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(targetBranch, "targetBranch");
        Objects.requireNonNull(commit, "commit");
        conflicts = List.copyOf(conflicts);
    }

    public boolean merged() {
        return status != Status.CONFLICT;
    }
}
