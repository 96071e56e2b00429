package dev.ensemble.agents.enforce;

import dev.ensemble.agents.workspace.AttemptGuard;
import dev.ensemble.agents.workspace.Change;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.Snapshot;
import dev.ensemble.agents.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Judges a task's change set, read from git, against the task's owned globs and the {@link Policy},
 * for every agent alike: a CLI's own permission settings are a first line, never the only one.
 * A change set is accepted only when every path it adds, modifies, deletes, renames (both ends),
 * copies to or re-modes is owned and none is protected, and nothing it did outside git's sight (the
 * {@link Snapshot}) touched git's internals or the main working tree.
 */
public final class Enforcer {
    private final Policy policy;
    private final List<Glob> protectedGlobs;
    private final List<Glob> binaryGlobs;

    public Enforcer(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.protectedGlobs = Glob.all(policy.protectedPaths());
        this.binaryGlobs = Glob.all(policy.binaryAllowed());
    }

    public Policy policy() {
        return policy;
    }

    /**
     * Checks {@code changes} (from {@code WorkspaceManager.commit}) made in {@code ws} by a task
     * owning {@code ownedGlobs}; {@code before} is the snapshot taken before the agent started
     * (null skips the snapshot rules, for a change set judged on its own).
     */
    public Verdict check(ChangeSet changes, List<String> ownedGlobs, Workspace ws, Snapshot before) {
        Context ctx = new Context(Glob.all(ownedGlobs), ws, changes.baseCommit());
        List<Violation> violations = new ArrayList<>();
        for (Change change : changes.changes()) checkChange(change, ctx, violations);
        if (before != null) {
            for (Snapshot.Drift drift : before.driftTo(Snapshot.take(ws))) {
                switch (drift.kind()) {
                    case GIT_INTERNALS -> violations.add(new Violation(drift.path(), Rules.GIT_INTERNALS,
                            "git internals changed outside the task's diff: " + drift.detail()));
                    case MAIN_TREE -> {
                        if (policy.guardMainTree()) {
                            violations.add(new Violation(drift.path(), Rules.MAIN_TREE_MODIFIED, drift.detail()
                                    + " while the task ran (a write outside the worktree, through an absolute path or '..')"));
                        }
                    }
                }
            }
        }
        return Verdict.of(dedupe(violations));
    }

    /**
     * {@link #check}, then on rejection resets the task branch to its base so nothing rejected can
     * be merged by mistake (the worktree keeps the files for inspection). The verdict names the agent.
     */
    public Verdict enforce(String agent, ChangeSet changes, List<String> ownedGlobs, Workspace ws, Snapshot before) {
        Verdict verdict = check(changes, ownedGlobs, ws, before).withAgent(agent);
        if (!verdict.accepted()) {
            Git.in(ws.repoRoot()).ok("update-ref", "-m", "ensemble: rejected by the enforcer",
                    "refs/heads/" + ws.branch(), ws.baseCommit());
        }
        return verdict;
    }

    /**
     * {@link #enforce} for an attempt watched by an {@link AttemptGuard}: the guard's findings (taken,
     * and undone where possible, before the change set was committed) replace the snapshot rules, each
     * one a violation that says whether it was restored.
     */
    public Verdict enforce(String agent, ChangeSet changes, List<String> ownedGlobs, Workspace ws, List<AttemptGuard.Finding> guarded) {
        Verdict verdict = check(changes, ownedGlobs, ws, null).plus(violations(guarded)).withAgent(agent);
        if (!verdict.accepted()) {
            Git.in(ws.repoRoot()).ok("update-ref", "-m", "ensemble: rejected by the enforcer",
                    "refs/heads/" + ws.branch(), ws.baseCommit());
        }
        return verdict;
    }

    /** The guard's findings as violations: the rule, and the detail with what was restored. */
    public static List<Violation> violations(List<AttemptGuard.Finding> findings) {
        return findings.stream().map(f -> new Violation(f.path(), f.rule(), f.detail()
                + (f.restored() ? " (restored" + (f.restoration().isEmpty() ? "" : ": " + f.restoration()) + ")"
                : " (NOT restored: " + f.restoration() + ")"))).toList();
    }

    // ---- rules ----

    private void checkChange(Change change, Context ctx, List<Violation> out) {
        boolean pathsOk = true;
        for (String path : change.touchedPaths()) pathsOk &= checkPath(path, change, ctx, out);
        if (change.deleted() || !pathsOk) return;
        String path = change.path();
        if (change.gitlink()) {
            out.add(new Violation(path, Rules.SUBMODULE, "a submodule or embedded repository (gitlink, mode 160000)"));
        }
        if (change.symlink()) checkSymlink(change, ctx, out);
        if (change.executable() && !change.oldMode().equals(Change.MODE_EXECUTABLE) && !ctx.owned(path)) {
            out.add(new Violation(path, Rules.EXECUTABLE_BIT, (change.oldMode().equals(Change.MODE_ABSENT)
                    ? "new executable file" : "made executable") + " outside the task's owned paths"));
        }
        if (change.newContent() && !change.gitlink() && change.size() > policy.maxFileBytes()) {
            out.add(new Violation(path, Rules.FILE_TOO_LARGE, change.size() + " bytes, over the limit of "
                    + policy.maxFileBytes()));
        }
        if (change.newContent() && change.binary() && !policy.allowBinary() && !Glob.anyMatches(binaryGlobs, path)) {
            out.add(new Violation(path, Rules.BINARY_CONTENT, "binary content (a NUL byte in the first 8 KB) where no "
                    + "binary_allowed glob allows it"));
        }
        if (createsPath(change)) checkTopLevel(path, ctx, out);
    }

    /** The ownership rules for one path; false when the path itself is malformed (nothing else to judge). */
    private boolean checkPath(String path, Change change, Context ctx, List<Violation> out) {
        if (malformed(path)) {
            out.add(new Violation(path, Rules.PATH_TRAVERSAL, "path is absolute or contains '..' or empty segments"));
            return false;
        }
        if (Glob.anyMatches(protectedGlobs, path)) {
            out.add(new Violation(path, Rules.PROTECTED_PATH, verb(change, path) + " a protected path"));
        } else if (!ctx.owned(path)) {
            out.add(new Violation(path, Rules.OUTSIDE_OWNERSHIP, verb(change, path) + " a path the task does not own"));
        }
        return true;
    }

    private void checkSymlink(Change change, Context ctx, List<Violation> out) {
        String path = change.path();
        String target = change.symlinkTarget().orElse("");
        if (target.isEmpty() || target.startsWith("/")) {
            out.add(new Violation(path, Rules.SYMLINK_ESCAPE, "symlink to '" + target + "', outside the worktree"));
            return;
        }
        Optional<String> resolved = resolveWithin(parent(path), target);
        if (resolved.isEmpty()) {
            out.add(new Violation(path, Rules.SYMLINK_ESCAPE, "symlink to '" + target + "' leaves the worktree"));
            return;
        }
        String inside = resolved.get();
        if (inside.isEmpty() || Glob.anyMatches(protectedGlobs, inside) || !ctx.owned(inside)) {
            out.add(new Violation(path, Rules.SYMLINK_ESCAPE, "symlink to '" + target + "' points at "
                    + (inside.isEmpty() ? "the worktree root" : inside) + ", which the task does not own"));
            return;
        }
        // Lexically inside; also follow any symlinks along the way on disk (one may lead out).
        Path onDisk = ctx.ws.directory().resolve(inside);
        if (Files.exists(onDisk)) {
            try {
                Path real = onDisk.toRealPath();
                Path root = ctx.worktreeReal();
                if (!real.startsWith(root)) {
                    out.add(new Violation(path, Rules.SYMLINK_ESCAPE, "symlink to '" + target + "' resolves to " + real
                            + ", outside the worktree"));
                } else if (!ctx.owned(root.relativize(real).toString().replace('\\', '/'))) {
                    out.add(new Violation(path, Rules.SYMLINK_ESCAPE, "symlink to '" + target + "' resolves to "
                            + root.relativize(real) + ", which the task does not own"));
                }
            } catch (IOException e) {
                // Dangling after all: the lexical check above already judged it.
            }
        }
    }

    private void checkTopLevel(String path, Context ctx, List<Violation> out) {
        int slash = path.indexOf('/');
        if (slash < 0) return;
        String top = path.substring(0, slash);
        if (ctx.reportedTopLevel.contains(top) || policy.allowedTopLevelFolders().contains(top)
                || ctx.explicitlyOwnedTops().contains(top) || ctx.baseTopLevel().contains(top)) {
            return;
        }
        ctx.reportedTopLevel.add(top);
        out.add(new Violation(top + "/", Rules.NEW_TOP_LEVEL_FOLDER, "new top-level folder '" + top
                + "' is neither allowed by the policy nor named by the task's owned paths"));
    }

    private static boolean createsPath(Change change) {
        return change.type() == Change.Type.ADDED || change.type() == Change.Type.RENAMED
                || change.type() == Change.Type.COPIED;
    }

    private static String verb(Change change, String path) {
        return switch (change.type()) {
            case ADDED -> "adds";
            case DELETED -> "deletes";
            case RENAMED -> path.equals(change.path()) ? "renames " + change.oldPath().orElse("") + " into"
                    : "renames away from";
            case COPIED -> "copies " + change.oldPath().orElse("") + " into";
            case MODE_CHANGED -> "changes the mode of";
            case TYPE_CHANGED -> "changes the type of";
            case MODIFIED -> "modifies";
        };
    }

    static boolean malformed(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")) return true;
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) return true;
        }
        return false;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** {@code target} resolved against folder {@code dir} (both repository-relative); empty when it climbs out. */
    static Optional<String> resolveWithin(String dir, String target) {
        List<String> segments = new ArrayList<>();
        if (!dir.isEmpty()) segments.addAll(List.of(dir.split("/")));
        for (String segment : target.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) continue;
            if (segment.equals("..")) {
                if (segments.isEmpty()) return Optional.empty();
                segments.removeLast();
            } else {
                segments.add(segment);
            }
        }
        return Optional.of(String.join("/", segments));
    }

    private static List<Violation> dedupe(List<Violation> violations) {
        return List.copyOf(new LinkedHashSet<>(violations));
    }

    /** What one check needs to know, computed lazily (most change sets never ask for the base's top level). */
    private static final class Context {
        final List<Glob> owned;
        final Workspace ws;
        final String base;
        final Set<String> reportedTopLevel = new HashSet<>();
        private Set<String> baseTopLevel;
        private Set<String> explicitTops;
        private Path worktreeReal;

        Context(List<Glob> owned, Workspace ws, String base) {
            this.owned = owned;
            this.ws = ws;
            this.base = base;
        }

        boolean owned(String path) {
            return Glob.anyMatches(owned, path);
        }

        Set<String> baseTopLevel() {
            if (baseTopLevel == null) {
                Git git = Git.in(ws.repoRoot());
                baseTopLevel = new HashSet<>(git.check(git.exec("ls-tree", "-z", "--name-only", base)).fields());
            }
            return baseTopLevel;
        }

        Set<String> explicitlyOwnedTops() {
            if (explicitTops == null) {
                explicitTops = new HashSet<>();
                for (Glob glob : owned) glob.literalTopSegment().ifPresent(explicitTops::add);
            }
            return explicitTops;
        }

        Path worktreeReal() throws IOException {
            if (worktreeReal == null) worktreeReal = ws.directory().toRealPath(LinkOption.NOFOLLOW_LINKS);
            return worktreeReal;
        }
    }
}
