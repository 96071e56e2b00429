package dev.ensemble.agents.workspace;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a task changed, computed by git from its base commit to the single commit ensemble made of
 * the worktree ({@code commit} is empty when nothing changed, and then so is {@code changes}).
 */
public record ChangeSet(String baseCommit, Optional<String> commit, List<Change> changes) {
    public ChangeSet {
        Objects.requireNonNull(baseCommit, "baseCommit");
        Objects.requireNonNull(commit, "commit");
        changes = List.copyOf(changes);
    }

    public static ChangeSet empty(String baseCommit) {
        return new ChangeSet(baseCommit, Optional.empty(), List.of());
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Every path written or removed, in diff order, without duplicates (both ends of a rename). */
    public List<String> paths() {
        Set<String> paths = new LinkedHashSet<>();
        for (Change change : changes) paths.addAll(change.touchedPaths());
        return List.copyOf(paths);
    }
}
