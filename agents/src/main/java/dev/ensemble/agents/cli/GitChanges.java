package dev.ensemble.agents.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        ProcessBuilder builder = new ProcessBuilder("git", "-c", "core.quotepath=off", "status", "--porcelain=v1", "-z",
                "--untracked-files=all").directory(worktree.toFile()).redirectErrorStream(false)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        try {
            Process git = builder.start();
            byte[] out;
            try (InputStream in = git.getInputStream()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                out = buffer.toByteArray();
            }
            git.getErrorStream().close();
            if (!git.waitFor(30, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return List.of();
            }
            return git.exitValue() == 0 ? parse(new String(out, StandardCharsets.UTF_8)) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
