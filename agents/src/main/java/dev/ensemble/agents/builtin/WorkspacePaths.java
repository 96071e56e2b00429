package dev.ensemble.agents.builtin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Confinement of every path a tool is given to the workspace. A name is resolved against the
 * workspace, normalized, and must stay inside it; then the nearest part of it that exists is
 * resolved through symlinks ({@code toRealPath}) and must still be inside, so neither {@code ..}
 * nor a link (to /etc, to another task's worktree) leads out. {@code .git} is never reachable, by
 * name or through a link, because a tool that can write there can make git run anything.
 *
 * <p>There is a window between this check and the write in which a process could swap a folder for
 * a link; nothing but the agent's own tools writes here while it runs, and the Enforcer judges the
 * result from git afterwards, so this is the first line of defence, not the only one.
 */
final class WorkspacePaths {

    /**
     * A checked path: {@code relative} as the model should see it (forward slashes, "." for the
     * root) and {@code target}, the real location to act on (links already followed).
     */
    record Resolved(String relative, Path target) {}

    private final Path root;
    private final Path given;

    WorkspacePaths(Path directory) {
        this.given = directory.toAbsolutePath().normalize();
        try {
            this.root = directory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("the workspace " + directory + " cannot be opened: " + e.getMessage(), e);
        }
    }

    Path root() {
        return root;
    }

    /** Resolves a path the model named; throws {@link ToolError} when it is outside the workspace or in .git. */
    Resolved resolve(String name) {
        return resolve(name, false);
    }

    /**
     * Like {@link #resolve(String)}, but {@code .git} may be named: for arguments of allowed
     * commands such as {@code git log}, where only leaving the workspace matters.
     */
    Resolved resolveAllowingGit(String name) {
        return resolve(name, true);
    }

    private Resolved resolve(String name, boolean gitAllowed) {
        if (name == null) throw new ToolError("a path is required");
        if (name.indexOf('\0') >= 0) throw new ToolError("the path contains a NUL character");
        String trimmed = name.strip();
        Path named;
        try {
            named = Path.of(trimmed.isEmpty() ? "." : trimmed);
        } catch (InvalidPathException e) {
            throw new ToolError("'" + name + "' is not a valid path: " + e.getReason());
        }

        Path lexical;
        if (named.isAbsolute()) {
            Path n = named.normalize();
            if (n.startsWith(root)) lexical = n;
            else if (n.startsWith(given)) lexical = root.resolve(given.relativize(n));
            else throw new ToolError("'" + name + "' is outside the workspace; use a path relative to the workspace root");
        } else {
            lexical = root.resolve(named).normalize();
            if (!lexical.startsWith(root)) {
                throw new ToolError("'" + name + "' leaves the workspace through '..'; use a path inside the workspace");
            }
        }
        if (!gitAllowed) refuseGit(name, root.relativize(lexical));

        // Follow links on the part that exists; what does not exist yet cannot be a link.
        Deque<Path> missing = new ArrayDeque<>();
        Path existing = lexical;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            missing.push(existing.getFileName());
            existing = existing.getParent();
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ToolError("'" + name + "' goes through a symlink whose target does not exist");
        } catch (IOException e) {
            throw new ToolError("'" + name + "' cannot be resolved: " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw new ToolError("'" + name + "' goes through a symlink that leads outside the workspace");
        }
        Path target = real;
        while (!missing.isEmpty()) target = target.resolve(missing.pop());
        Path relative = root.relativize(target);
        if (!gitAllowed) refuseGit(name, relative);
        return new Resolved(show(relative), target);
    }

    /** The workspace-relative form of a real path under the root. */
    String relative(Path target) {
        return show(root.relativize(target));
    }

    private static String show(Path relative) {
        String text = relative.toString().replace('\\', '/');
        return text.isEmpty() ? "." : text;
    }

    private static void refuseGit(String name, Path relative) {
        for (Path part : relative) {
            if (part.toString().equalsIgnoreCase(".git")) {
                throw new ToolError("'" + name + "' is inside .git, which no tool may read or change");
            }
        }
    }
}
