package dev.ensemble.agents.workspace;

import dev.ensemble.agents.workspace.AttemptGuard.Finding;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The copies {@link AttemptGuard} restores from, and the restoring. Small things are copied before
 * the attempt (git's config, HEAD, hooks and info files; uncommitted, untracked and watched ignored
 * files, up to {@link #COPY_BUDGET} bytes in all); a tracked file that matched the index is
 * restored from the blob the index named, so the checkout itself is never copied.
 */
final class FileKeeper {
    static final long COPY_BUDGET = 64L * 1024 * 1024;
    private static final long GIT_FILE_LIMIT = 16L * 1024 * 1024;

    private final Path root;
    private final Git git;
    private final Path common;
    private final Workspace ws;
    private final Path quarantine;
    private final Map<String, byte[]> gitFiles = new HashMap<>();
    private final Map<String, String[]> cleanBlobs = new HashMap<>();
    private final Map<String, byte[]> copies = new HashMap<>();
    private long copied;

    FileKeeper(Path root, Git git, Path common, Workspace ws, Path quarantine) {
        this.root = root;
        this.git = git;
        this.common = common;
        this.ws = ws;
        this.quarantine = quarantine;
    }

    /** The files {@link Snapshot} hashes in git's directories, kept whole. */
    void keepGitFiles() {
        gitFiles.clear();
        Path gitDir = WorkspaceManager.resolveGitDir(ws.gitDir());
        List<Path> files = new ArrayList<>(List.of(common.resolve("config"), common.resolve("HEAD"), common.resolve("packed-refs"),
                gitDir.resolve("config.worktree"), gitDir.resolve("HEAD"), gitDir.resolve("commondir"), gitDir.resolve("gitdir"),
                gitDir.resolve(WorkspaceManager.BASE_FILE), ws.directory().resolve(".git")));
        for (Path dir : List.of(common.resolve("hooks"), common.resolve("info"))) files.addAll(stampTree(dir).keySet().stream().map(dir::resolve).toList());
        for (Path file : files) {
            try {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= GIT_FILE_LIMIT) {
                    gitFiles.put(Snapshot.display(root, file), Files.readAllBytes(file));
                }
            } catch (IOException e) {
                // Unreadable now: a change to it is reported, not restored.
            }
        }
    }

    /** Which tracked paths match the index (restorable from their blob); the others, and untracked files, are copied. */
    void keepMainTree(Collection<String> paths) {
        cleanBlobs.clear();
        copies.clear();
        copied = 0;
        Map<String, String[]> staged = new HashMap<>();
        for (String entry : git.check(git.exec("ls-files", "-s", "-z")).fields()) {
            int tab = entry.indexOf('\t');
            if (tab < 0) continue;
            String[] meta = entry.substring(0, tab).split(" ");
            if (meta.length >= 3 && meta[2].equals("0")) staged.put(entry.substring(tab + 1), new String[] {meta[0], meta[1]});
        }
        java.util.Set<String> dirty = new java.util.HashSet<>(git.check(git.exec("diff-files", "--name-only", "-z")).fields());
        List<String> toCopy = new ArrayList<>();
        for (String path : paths) {
            String[] blob = staged.get(path);
            if (blob != null && !dirty.contains(path)) cleanBlobs.put(path, blob);
            else toCopy.add(path);
        }
        keepCopies(toCopy);
    }

    void keepCopies(Collection<String> paths) {
        for (String path : paths) {
            Path file = root.resolve(path);
            try {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) continue;
                long size = Files.size(file);
                if (copied + size > COPY_BUDGET) continue;
                copies.put(path, Files.readAllBytes(file));
                copied += size;
            } catch (IOException e) {
                // Not kept: a change is reported as not restorable.
            }
        }
    }

    /** Git-ignored files that matter: {@code .env*} anywhere and the watched globs. */
    Map<String, Snapshot.FileStamp> watchedIgnored(List<String> globs) {
        List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--",
                ":(glob)**/.env*", ":(glob).env*", ":(exclude).ensemble"));
        for (String glob : globs) args.add(":(glob)" + glob);
        Map<String, Snapshot.FileStamp> stamps = new TreeMap<>();
        for (String path : git.check(git.listWalkingWorktrees(args)).fields()) {
            // git 2.39 lists a nested repository (a task's worktree under .ensemble/worktrees/) as
            // "dir/" whatever the pathspec says: worktrees are guarded on their own, and a folder
            // has no content to stamp.
            if (path.isEmpty() || path.endsWith("/") || path.startsWith(".ensemble/")) continue;
            stamps.put(path, stamp(root.resolve(path)));
        }
        // .ensemble/run-branches/ is not stamped: parallel tasks' merges rewrite it legitimately, so the
        // guard checks this run's record against what RunBranch last wrote instead (AttemptGuard).
        return stamps;
    }

    Finding restoreGit(Snapshot.Drift drift, Map<String, String> refsBefore, Map<String, String> refsNow) {
        String path = drift.path();
        if (refsBefore.containsKey(path) || refsNow.containsKey(path)) {
            String was = refsBefore.get(path);
            String now = refsNow.get(path);
            Git.Result undone = was == null ? git.exec("update-ref", "-d", path, now)
                    : git.exec("update-ref", "-m", "ensemble: restored after an attempt moved it", path, was, now == null ? "" : now);
            return finding(path, "git-internals", drift.detail(), undone.ok(), undone.stderr());
        }
        Path file = root.resolve(path);
        byte[] kept = gitFiles.get(path);
        return restoreBytes(path, "git-internals", "git internals changed outside the task's diff: " + drift.detail(), file, kept,
                file.getFileName().toString().length() > 0 && file.startsWith(common.resolve("hooks")) ? "rwxr-xr-x" : null);
    }

    Finding restoreMainTree(Snapshot.Drift drift) {
        String path = drift.path();
        String detail = drift.detail() + " while the task ran (a write outside the worktree, through an absolute path or '..')";
        Path file = root.resolve(path);
        String[] blob = cleanBlobs.get(path);
        if (blob != null) {
            try {
                byte[] content = git.check(git.exec("cat-file", "blob", blob[1])).stdout();
                return restoreBytes(path, "main-tree-modified", detail, file, content, blob[0].equals("100755") ? "rwxr-xr-x" : "rw-r--r--");
            } catch (GitException e) {
                return finding(path, "main-tree-modified", detail, false, "its blob " + blob[1] + " cannot be read: " + e.getMessage());
            }
        }
        return restoreBytes(path, "main-tree-modified", detail, file, copies.get(path), null);
    }

    Finding restoreCopy(String path, String rule, String detail) {
        return restoreBytes(path, rule, detail, root.resolve(path), copies.get(path), null);
    }

    /** Writes {@code kept} back (or, when the file did not exist before, moves the new one to quarantine). */
    private Finding restoreBytes(String path, String rule, String detail, Path file, byte[] kept, String permissions) {
        boolean existedBefore = kept != null || detail.contains("modified") || detail.contains("deleted");
        try {
            Path parent = file.getParent();
            if (!parent.toAbsolutePath().normalize().startsWith(root) || (Files.exists(parent) && !parent.toRealPath().startsWith(root))) {
                return finding(path, rule, detail, false, "its folder now leads outside the repository");
            }
            if (kept == null) {
                if (existedBefore) return finding(path, rule, detail, false, "no copy was kept (too large, or unreadable)");
                Path target = quarantine.resolve(path.replace('/', '_'));
                Files.createDirectories(quarantine);
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                return new Finding(path, rule, detail, true, "moved to " + root.relativize(target));
            }
            Files.createDirectories(parent);
            Path tmp = parent.resolve("." + file.getFileName() + ".ensemble-restore");
            Files.deleteIfExists(tmp);
            Files.write(tmp, kept);
            if (permissions != null) Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return finding(path, rule, detail, true, "");
        } catch (IOException | UnsupportedOperationException e) {
            return finding(path, rule, detail, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Finding finding(String path, String rule, String detail, boolean restored, String why) {
        return new Finding(path, rule, detail, restored, why);
    }

    /** Size and times of every file under {@code dir} (symlinks not followed), by relative path. */
    static Map<String, Snapshot.FileStamp> stampTree(Path dir) {
        Map<String, Snapshot.FileStamp> stamps = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return stamps;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    stamps.put(dir.relativize(file).toString(), stamp(file));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Partly listed: what was seen is compared.
        }
        return stamps;
    }

    static Snapshot.FileStamp stamp(Path file) {
        return Snapshot.stamp(file);
    }
}
