package dev.ensemble.agents.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What git cannot see but an agent can change: taken before the agent runs and compared after.
 * A write through an absolute path or {@code ..} into the main repository's working tree, its
 * {@code .git/config}, hooks or info files, the worktree's own git directory, or the refs of the
 * user's branches leaves no trace in the task's diff; it does leave one here.
 *
 * <p>{@code gitFiles} maps a display path to a SHA-256 of the file's bytes; {@code refs} maps every
 * ref outside {@code refs/heads/ensemble/} (which parallel tasks move legitimately) and
 * {@code refs/remotes/} (which a background fetch moves) to its object;
 * {@code mainTree} holds size, mtime and ctime of every file git tracks or would track in the main
 * working tree (ignored files are skipped: that keeps the listing cheap and {@code node_modules} out).
 */
public record Snapshot(Map<String, String> gitFiles, Map<String, String> refs, Map<String, FileStamp> mainTree) {
    private static final String ABSENT = "absent";

    public Snapshot {
        gitFiles = Map.copyOf(gitFiles);
        refs = Map.copyOf(refs);
        mainTree = Map.copyOf(mainTree);
    }

    /** A file's size and times; {@code ctime} is -1 where the platform does not expose it. */
    public record FileStamp(long size, long mtimeNanos, long ctimeNanos) {}

    /** One difference between two snapshots, in the main repository's git internals or its working tree. */
    public record Drift(Kind kind, String path, String detail) {
        public enum Kind { GIT_INTERNALS, MAIN_TREE }

        public Drift {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Takes a snapshot of what matters around {@code ws}. Cheap: a few small files, one ref listing, one stat per file. */
    public static Snapshot take(Workspace ws) {
        Path root = ws.repoRoot().toAbsolutePath().normalize();
        Git git = Git.in(root);
        Path common = WorkspaceManager.commonDir(git, root);
        Path gitDir = WorkspaceManager.resolveGitDir(ws.gitDir());
        Map<String, String> files = new TreeMap<>();
        for (Path file : List.of(common.resolve("config"), common.resolve("HEAD"), common.resolve("info/exclude"),
                gitDir.resolve("config.worktree"), gitDir.resolve("HEAD"), gitDir.resolve("commondir"),
                gitDir.resolve("gitdir"), gitDir.resolve(WorkspaceManager.BASE_FILE), ws.directory().resolve(".git"))) {
            files.put(display(root, file), hash(file));
        }
        hashTree(root, common.resolve("hooks"), files);
        hashTree(root, common.resolve("info"), files);
        return new Snapshot(files, refs(git), mainTree(git, root));
    }

    /** What changed from this snapshot to {@code after}, sorted by path. */
    public List<Drift> driftTo(Snapshot after) {
        List<Drift> drift = new ArrayList<>();
        for (String path : union(gitFiles.keySet(), after.gitFiles.keySet())) {
            String was = gitFiles.getOrDefault(path, ABSENT);
            String now = after.gitFiles.getOrDefault(path, ABSENT);
            if (!was.equals(now)) drift.add(new Drift(Drift.Kind.GIT_INTERNALS, path, describe(was, now)));
        }
        for (String ref : union(refs.keySet(), after.refs.keySet())) {
            String was = refs.getOrDefault(ref, ABSENT);
            String now = after.refs.getOrDefault(ref, ABSENT);
            if (!was.equals(now)) {
                drift.add(new Drift(Drift.Kind.GIT_INTERNALS, ref, "ref " + (was.equals(ABSENT) ? "created"
                        : now.equals(ABSENT) ? "deleted" : "moved from " + abbrev(was) + " to " + abbrev(now))));
            }
        }
        for (String path : union(mainTree.keySet(), after.mainTree.keySet())) {
            FileStamp was = mainTree.get(path);
            FileStamp now = after.mainTree.get(path);
            if (Objects.equals(was, now)) continue;
            String detail = was == null ? "file created in the main working tree"
                    : now == null ? "file deleted from the main working tree"
                    : "file modified in the main working tree";
            drift.add(new Drift(Drift.Kind.MAIN_TREE, path, detail));
        }
        return List.copyOf(drift);
    }

    private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String describe(String was, String now) {
        if (was.equals(ABSENT)) return "created";
        if (now.equals(ABSENT)) return "deleted";
        return "modified";
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    private static Map<String, String> refs(Git git) {
        Map<String, String> refs = new TreeMap<>();
        for (String line : git.ok("for-each-ref", "--format=%(objectname) %(refname)").split("\n")) {
            int space = line.indexOf(' ');
            if (space < 0) continue;
            String ref = line.substring(space + 1);
            // Task branches move legitimately in parallel; remote-tracking refs move on any background fetch.
            if (!ref.startsWith("refs/heads/ensemble/") && !ref.startsWith("refs/remotes/")) {
                refs.put(ref, line.substring(0, space));
            }
        }
        return refs;
    }

    private static Map<String, FileStamp> mainTree(Git git, Path root) {
        Map<String, FileStamp> stamps = new TreeMap<>();
        Git.Result listing = git.check(git.exec("ls-files", "-z", "--cached", "--others", "--exclude-standard"));
        for (String path : listing.fields()) {
            if (path.isEmpty() || path.startsWith(".ensemble/") || stamps.containsKey(path)) continue;
            stamps.put(path, stamp(root.resolve(path)));
        }
        return stamps;
    }

    static FileStamp stamp(Path file) {
        try {
            Map<String, Object> attrs = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            return new FileStamp((Long) attrs.get("size"), nanos((FileTime) attrs.get("lastModifiedTime")),
                    nanos((FileTime) attrs.get("ctime")));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            try {
                BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new FileStamp(basic.size(), nanos(basic.lastModifiedTime()), -1);
            } catch (IOException io) {
                return new FileStamp(-1, -1, -1);
            }
        } catch (IOException e) {
            // Tracked but missing (deleted before the snapshot): a stamp that any re-creation changes.
            return new FileStamp(-1, -1, -1);
        }
    }

    private static long nanos(FileTime time) {
        return time == null ? -1 : time.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static void hashTree(Path root, Path dir, Map<String, String> into) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    into.put(display(root, file), hash(file));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    private static String hash(Path file) {
        try {
            if (Files.isSymbolicLink(file)) return "symlink:" + Files.readSymbolicLink(file);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Files.exists(file) ? "special" : ABSENT;
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)))
                    + (Files.isExecutable(file) ? "+x" : "");
        } catch (NoSuchFileException e) {
            return ABSENT;
        } catch (IOException e) {
            return "unreadable:" + e.getClass().getSimpleName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A path shown relative to the repository when it is inside it ({@code .git/config}), else absolute. */
    static String display(Path root, Path file) {
        Path normal = file.toAbsolutePath().normalize();
        return normal.startsWith(root) ? root.relativize(normal).toString() : normal.toString();
    }
}
