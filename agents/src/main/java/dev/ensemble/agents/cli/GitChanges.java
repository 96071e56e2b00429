package dev.ensemble.agents.cli;

import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.GitException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths git sees as changed in a worktree ({@code git status --porcelain -z}): what the agent
 * did, whatever it says it did. Kept separate and simple: the workspace module computes the
 * authoritative change set against the base commit.
 */
public final class GitChanges {
    private GitChanges() {}

    /** Changed, added, deleted and untracked paths relative to the worktree, in git's order; empty when not a git worktree. */
    public static List<String> list(Path worktree) {
        if (!Files.exists(worktree.resolve(".git"))) return List.of();
        try {
            // ensemble's hardened git: the worktree's .gitattributes and config run nothing here.
            Git.Result status = Git.in(worktree).withTimeout(java.time.Duration.ofSeconds(30))
                    .exec("status", "--porcelain=v1", "-z", "--untracked-files=all");
            return status.ok() ? parse(new String(status.stdout(), StandardCharsets.UTF_8)) : List.of();
        } catch (GitException e) {
            return List.of();
        }
    }

    /** Entries are {@code XY path}, NUL-terminated; a rename or copy is followed by its old path, which is skipped. */
    static List<String> parse(String porcelainZ) {
        List<String> paths = new ArrayList<>();
        String[] entries = porcelainZ.split("\0");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i];
            if (entry.length() < 4) continue;
            char x = entry.charAt(0);
            paths.add(entry.substring(3));
            if (x == 'R' || x == 'C') i++;
        }
        return paths;
    }
}
