package dev.ensemble.agents.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Git worktrees for tasks: one per task on branch {@code ensemble/<run>/<task>} under
 * {@code <repo>/.ensemble/worktrees/<run>/<task>}, from a recorded base commit. After the agent
 * stops, {@link #commit} turns the worktree into exactly one commit on the base and reads the
 * change set from git; {@link #merge} folds an accepted task branch into a run branch without
 * touching the user's checked-out branch, index or working tree.
 *
 * <p>Thread-safe: parallel tasks may create, commit, merge and remove at the same time (merges into
 * one run branch are serialised by a compare-and-swap on the ref, retried).
 */
public final class WorkspaceManager {
    /** Inside the worktree's git directory: the base commit, so {@link #list} can rebuild a workspace. */
    static final String BASE_FILE = "ensemble-base";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int BINARY_PROBE = 8192;
    private static final int MERGE_ATTEMPTS = 10;
    private static final int CHECKOUT_WORKERS = Math.max(8, Runtime.getRuntime().availableProcessors());
    private static final Semaphore CHECKOUTS = new Semaphore(2, true);
    private static final ConcurrentHashMap<Path, ReentrantLock> WORKTREE_LOCKS = new ConcurrentHashMap<>();

    private final Path repoRoot;
    private final Path commonDir;
    private final Git git;
    /** The commit {@link #commit} made per worktree: what a merge takes, whatever the task branch says by then. */
    private final ConcurrentHashMap<Path, String> committed = new ConcurrentHashMap<>();

    /** Opens the repository whose working tree contains {@code repoRoot}; makes sure {@code .ensemble/} is ignored. */
    public WorkspaceManager(Path repoRoot) {
        Path top;
        try {
            top = Path.of(Git.in(repoRoot).ok("rev-parse", "--show-toplevel")).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open repository at " + repoRoot, e);
        }
        this.repoRoot = top;
        this.git = Git.in(top);
        this.commonDir = commonDir(git, top);
        excludeEnsembleFolder(git, commonDir);
    }

    /**
     * Makes git ignore {@code .ensemble/} (worktrees, database, transcripts, reports) in the
     * repository at {@code repoRoot}, through {@code .git/info/exclude} so no tracked file changes:
     * whatever ensemble writes there never shows in the user's {@code git status}.
     */
    public static void excludeEnsembleFolder(Path repoRoot) {
        Git git = Git.in(repoRoot);
        excludeEnsembleFolder(git, commonDir(git, repoRoot));
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public Path worktreesRoot() {
        return repoRoot.resolve(".ensemble").resolve("worktrees");
    }

    /**
     * Creates the task's worktree and branch from {@code baseRef} (resolved to a commit first and
     * recorded), then copies the git-ignored files of the main working tree that match one of
     * {@code copyIgnored} (e.g. {@code .env}); no other ignored file is copied.
     */
    public Workspace create(String runId, String taskId, String baseRef, List<String> copyIgnored) {
        requireSafeId("run id", runId);
        requireSafeId("task id", taskId);
        String base = git.ok("rev-parse", "--verify", "--end-of-options", baseRef + "^{commit}");
        String branch = branchName(runId, taskId);
        Path dir = worktreesRoot().resolve(runId).resolve(taskId);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new GitException("a workspace for " + runId + "/" + taskId + " already exists at " + dir, -1);
        }
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.getParent(), e);
        }
        // Registering is serialised (git reads every worktree's metadata while adding or pruning one);
        // the slow part, writing the files, runs in parallel afterwards.
        worktreeCommand("add", "--quiet", "--no-checkout", "-b", branch, dir.toString(), base);
        Path gitDir = resolveGitDir(dir.resolve(".git"));
        Workspace ws = new Workspace(repoRoot, dir, branch, base, runId, taskId, gitDir);
        try {
            // Writing the files is bound by per-file latency, not CPU: parallel checkout cuts it
            // about 3x even on two cores (git only uses it above 100 files).
            // Parallel tasks each with their own workers only thrash the disk: two checkouts at a time.
            CHECKOUTS.acquireUninterruptibly();
            AttemptGuard.ensembleWrites(dir);
            try {
                Git.worktree(gitDir, dir).ok("-c", "checkout.workers=" + CHECKOUT_WORKERS, "reset", "--hard", "--quiet");
            } finally {
                CHECKOUTS.release();
            }
            Files.writeString(gitDir.resolve(BASE_FILE), base + "\n");
            if (!copyIgnored.isEmpty()) copyIgnored(dir, copyIgnored);
            return ws;
        } catch (IOException | RuntimeException e) {
            try {
                remove(ws);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) throw new UncheckedIOException("cannot set up the workspace at " + dir, io);
            throw (RuntimeException) e;
        }
    }

    /** A snapshot of what git cannot see, to take right before the agent starts. */
    public Snapshot snapshot(Workspace ws) {
        return Snapshot.take(ws);
    }

    /**
     * Stages everything in the worktree and records it as one commit on the base commit (whatever
     * the agent committed itself is folded in), with ensemble's identity and no hooks; then reads
     * the change set from git. Nothing changed: an empty change set, the branch left at the base.
     */
    public ChangeSet commit(Workspace ws, String message) {
        AttemptGuard.ensembleWrites(ws.directory());
        Git wt = worktreeGit(ws);
        wt.ok("add", "-A");
        String tree = wt.ok("write-tree");
        String baseTree = wt.ok("rev-parse", ws.baseCommit() + "^{tree}");
        String ref = "refs/heads/" + ws.branch();
        if (tree.equals(baseTree)) {
            wt.ok("update-ref", ref, ws.baseCommit());
            committed.put(ws.directory(), ws.baseCommit());
            return ChangeSet.empty(ws.baseCommit());
        }
        Git.Result created = wt.check(wt.exec(List.of("commit-tree", tree, "-p", ws.baseCommit(), "-F", "-"),
                message.getBytes(StandardCharsets.UTF_8)));
        String commit = created.out();
        wt.ok("update-ref", "-m", "ensemble: " + firstLine(message), ref, commit);
        committed.put(ws.directory(), commit);
        return new ChangeSet(ws.baseCommit(), Optional.of(commit), diff(wt, ws.baseCommit(), commit));
    }

    /** The change set between two commits, read from git (modes included; renames and copies detected). */
    public ChangeSet changes(Workspace ws, String fromCommit, String toCommit) {
        return new ChangeSet(fromCommit, Optional.of(toCommit), diff(worktreeGit(ws), fromCommit, toCommit));
    }

    /**
     * Merges the task branch into {@code targetBranch} (created at the task's base when absent)
     * entirely in the object database: {@code merge-tree --write-tree}, {@code commit-tree}, then a
     * compare-and-swap {@code update-ref}. No worktree, index or HEAD is touched, so the user's
     * checkout stays as it was. A conflict changes nothing and lists the paths. For a branch ensemble
     * does not track as a run's ({@link RunBranch}): a run's own merges go through
     * {@link #merge(Workspace, RunBranch)}, which refuses a branch someone else moved.
     */
    public MergeResult merge(Workspace ws, String targetBranch) {
        String target = "refs/heads/" + targetBranch;
        git.ok("check-ref-format", target);
        refuseCheckedOut(targetBranch);
        String taskTip = git.ok("rev-parse", "--verify", "refs/heads/" + ws.branch() + "^{commit}");
        for (int attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
            Git.Result current = git.exec("rev-parse", "--verify", "--quiet", target + "^{commit}");
            if (!current.ok()) {
                // Create-only (the empty old value): a parallel task creating it first sends us round again.
                Git.Result created = git.exec("update-ref", target, ws.baseCommit(), "");
                if (!created.ok() && !git.exec("rev-parse", "--verify", "--quiet", target).ok()) {
                    throw new GitException("cannot create branch " + targetBranch + ": " + created.stderr()
                            + " (a branch cannot also be a folder of branches: use runBranchName(runId))", created.exitCode());
                }
                continue;
            }
            String targetTip = current.out();
            if (git.exec("merge-base", "--is-ancestor", taskTip, targetTip).ok()) {
                return new MergeResult(MergeResult.Status.NOTHING_TO_MERGE, targetBranch, Optional.of(targetTip), List.of());
            }
            String newTip;
            if (git.exec("merge-base", "--is-ancestor", targetTip, taskTip).ok()) {
                newTip = taskTip;
            } else {
                Git.Result merged = git.exec("merge-tree", "--write-tree", "-z", "--name-only", "--no-messages",
                        targetTip, taskTip);
                List<String> fields = merged.fields();
                if (merged.exitCode() == 1) {
                    List<String> conflicts = fields.subList(1, fields.size()).stream().filter(f -> !f.isEmpty())
                            .distinct().toList();
                    return new MergeResult(MergeResult.Status.CONFLICT, targetBranch, Optional.of(targetTip), conflicts);
                }
                git.check(merged);
                String message = "ensemble: merge " + ws.branch() + " into " + targetBranch;
                newTip = git.check(git.exec(List.of("commit-tree", fields.getFirst(), "-p", targetTip, "-p", taskTip,
                        "-F", "-"), message.getBytes(StandardCharsets.UTF_8))).out();
            }
            if (git.exec("update-ref", "-m", "ensemble: merge " + ws.branch(), target, newTip, targetTip).ok()) {
                return new MergeResult(MergeResult.Status.MERGED, targetBranch, Optional.of(newTip), List.of());
            }
        }
        throw new GitException("could not merge " + ws.branch() + " into " + targetBranch + ": the branch kept moving ("
                + MERGE_ATTEMPTS + " attempts)", -1);
    }

    /**
     * Merges the task's commit (the one {@link #commit} made, not whatever its branch points at now)
     * into the run branch as ensemble left it: the branch is checked first ({@link RunBranch#verify}
     * throws {@link RunBranchMovedException} when anyone else moved it), the merge is computed on
     * the commit ensemble last wrote, and the branch moves by compare-and-swap from that commit.
     */
    public MergeResult merge(Workspace ws, RunBranch target) {
        refuseCheckedOut(target.name());
        return target.locked(() -> {
            target.verify();
            String targetTip = target.expected();
            String taskTip = committed.getOrDefault(ws.directory(), null);
            if (taskTip == null) taskTip = git.ok("rev-parse", "--verify", "refs/heads/" + ws.branch() + "^{commit}");
            if (git.exec("merge-base", "--is-ancestor", taskTip, targetTip).ok()) {
                return new MergeResult(MergeResult.Status.NOTHING_TO_MERGE, target.name(), Optional.of(targetTip), List.of());
            }
            String newTip;
            if (git.exec("merge-base", "--is-ancestor", targetTip, taskTip).ok()) {
                newTip = taskTip;
            } else {
                Git.Result merged = git.exec("merge-tree", "--write-tree", "-z", "--name-only", "--no-messages", targetTip, taskTip);
                List<String> fields = merged.fields();
                if (merged.exitCode() == 1) {
                    List<String> conflicts = fields.subList(1, fields.size()).stream().filter(f -> !f.isEmpty()).distinct().toList();
                    return new MergeResult(MergeResult.Status.CONFLICT, target.name(), Optional.of(targetTip), conflicts);
                }
                git.check(merged);
                String message = "ensemble: merge " + ws.branch() + " into " + target.name();
                newTip = git.check(git.exec(List.of("commit-tree", fields.getFirst(), "-p", targetTip, "-p", taskTip, "-F", "-"),
                        message.getBytes(StandardCharsets.UTF_8))).out();
            }
            if (!target.advance(newTip, "merge " + ws.branch())) target.verify();  // moved between the check and the swap
            if (!target.expected().equals(newTip)) {
                throw new GitException("could not move " + target.name() + " to the merge of " + ws.branch(), -1);
            }
            return new MergeResult(MergeResult.Status.MERGED, target.name(), Optional.of(newTip), List.of());
        });
    }

    /** Resets the task branch to its base, so nothing of a rejected change can be merged by mistake. */
    public void discard(Workspace ws) {
        AttemptGuard.ensembleWrites(ws.directory());
        committed.put(ws.directory(), ws.baseCommit());
        git.ok("update-ref", "-m", "ensemble: rejected", "refs/heads/" + ws.branch(), ws.baseCommit());
    }

    /** Removes the worktree and deletes its branch. */
    public void remove(Workspace ws) {
        remove(ws, false);
    }

    /** Removes the worktree (whatever it holds) and, unless {@code keepBranch}, its branch. */
    public void remove(Workspace ws, boolean keepBranch) {
        AttemptGuard.ensembleWrites(ws.directory());
        committed.remove(ws.directory());
        if (Files.exists(ws.directory(), LinkOption.NOFOLLOW_LINKS)) {
            try {
                deleteTree(ws.directory());
            } catch (UncheckedIOException e) {
                worktreeCommand("remove", "--force", "--force", ws.directory().toString());
            }
        }
        worktreeCommand("prune");
        if (!keepBranch) {
            Git.Result deleted = underWorktreeLock(List.of("branch", "-D", "--quiet", ws.branch()));
            if (!deleted.ok() && git.exec("rev-parse", "--verify", "--quiet", "refs/heads/" + ws.branch()).ok()) {
                git.check(deleted);
            }
        }
        deleteEmptyParents(ws.directory().getParent());
    }

    /** The ensemble workspaces that exist now (those under {@code .ensemble/worktrees/} on an ensemble branch). */
    public List<Workspace> list() {
        List<Workspace> found = new ArrayList<>();
        Map<String, String> entry = new HashMap<>();
        for (String line : (worktreeCommand("list", "--porcelain") + "\n\n").split("\n", -1)) {
            if (!line.isEmpty()) {
                int space = line.indexOf(' ');
                entry.put(space < 0 ? line : line.substring(0, space), space < 0 ? "" : line.substring(space + 1));
                continue;
            }
            if (entry.containsKey("worktree")) toWorkspace(entry).ifPresent(found::add);
            entry.clear();
        }
        return List.copyOf(found);
    }

    public static String branchName(String runId, String taskId) {
        return "ensemble/" + runId + "/" + taskId;
    }

    /**
     * The branch a run's accepted tasks merge into: {@code ensemble/<run>/_run}. Not plain
     * {@code ensemble/<run>}, because git cannot hold a branch that is also the folder of the task
     * branches {@code ensemble/<run>/<task>}; task ids start with a letter or digit, so none is {@code _run}.
     */
    public static String runBranchName(String runId) {
        requireSafeId("run id", runId);
        return "ensemble/" + runId + "/_run";
    }

    /** git bound to the workspace's recorded git directory and working tree. */
    public static Git worktreeGit(Workspace ws) {
        return Git.worktree(resolveGitDir(ws.gitDir()), ws.directory());
    }

    // ---- internals ----

    private Optional<Workspace> toWorkspace(Map<String, String> entry) {
        Path dir = Path.of(entry.get("worktree"));
        String branchRef = entry.getOrDefault("branch", "");
        if (!dir.startsWith(worktreesRoot()) || !branchRef.startsWith("refs/heads/ensemble/")) return Optional.empty();
        Path relative = worktreesRoot().relativize(dir);
        if (relative.getNameCount() != 2) return Optional.empty();
        String runId = relative.getName(0).toString();
        String taskId = relative.getName(1).toString();
        Path gitDir;
        try {
            gitDir = resolveGitDir(dir.resolve(".git"));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String base;
        try {
            base = Files.readString(gitDir.resolve(BASE_FILE)).strip();
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(new Workspace(repoRoot, dir, branchRef.substring("refs/heads/".length()), base, runId,
                taskId, gitDir));
    }

    private List<Change> diff(Git wt, String from, String to) {
        List<String> fields = wt.check(wt.exec("diff", "--raw", "-z", "-M", "-C", "--no-abbrev", "--no-ext-diff",
                "--no-textconv", from, to)).fields();
        List<RawEntry> entries = new ArrayList<>();
        for (int i = 0; i < fields.size(); ) {
            String header = fields.get(i++);
            if (!header.startsWith(":")) throw new GitException("unexpected diff output: " + header, -1);
            String[] parts = header.substring(1).split(" ");
            char status = parts[4].charAt(0);
            String first = fields.get(i++);
            String second = status == 'R' || status == 'C' ? fields.get(i++) : null;
            entries.add(new RawEntry(parts[0], parts[1], parts[2], parts[3], status, first, second));
        }
        Map<String, BlobInfo> blobs = inspect(wt, entries);
        List<Change> changes = new ArrayList<>(entries.size());
        for (RawEntry e : entries) changes.add(e.toChange(blobs.get(e.newSha)));
        return List.copyOf(changes);
    }

    private record RawEntry(String oldMode, String newMode, String oldSha, String newSha, char status, String first,
                            String second) {
        boolean hasBlob() {
            return status != 'D' && !newMode.equals(Change.MODE_GITLINK) && !newMode.equals(Change.MODE_ABSENT);
        }

        Change toChange(BlobInfo blob) {
            String path = second != null ? second : first;
            Optional<String> oldPath = second != null ? Optional.of(first) : Optional.empty();
            Change.Type type = switch (status) {
                case 'A' -> Change.Type.ADDED;
                case 'D' -> Change.Type.DELETED;
                case 'R' -> Change.Type.RENAMED;
                case 'C' -> Change.Type.COPIED;
                case 'T' -> Change.Type.TYPE_CHANGED;
                case 'M' -> oldMode.equals(newMode) ? Change.Type.MODIFIED : Change.Type.MODE_CHANGED;
                default -> throw new GitException("unexpected diff status '" + status + "' for " + path, -1);
            };
            boolean newContent = status != 'D' && (!oldSha.equals(newSha) || status == 'C');
            long size = blob == null ? 0 : blob.size;
            boolean binary = blob != null && newContent && blob.binary;
            Optional<String> target = newMode.equals(Change.MODE_SYMLINK) && blob != null
                    ? Optional.of(blob.symlinkTarget) : Optional.empty();
            return new Change(type, path, oldPath, oldMode, newMode, target, size, binary, newContent);
        }
    }

    private record BlobInfo(long size, boolean binary, String symlinkTarget) {}

    /** One {@code cat-file --batch}: sizes, a NUL probe of the first 8 KB, and symlink targets, for all new blobs. */
    private static Map<String, BlobInfo> inspect(Git wt, List<RawEntry> entries) {
        List<String> shas = entries.stream().filter(RawEntry::hasBlob).map(RawEntry::newSha).distinct().toList();
        if (shas.isEmpty()) return Map.of();
        byte[] request = (String.join("\n", shas) + "\n").getBytes(StandardCharsets.US_ASCII);
        return wt.stream(List.of("cat-file", "--batch"), request, stdout -> {
            Map<String, BlobInfo> info = new HashMap<>();
            for (int i = 0; i < shas.size(); i++) {
                String header = readLine(stdout);
                String[] parts = header.split(" ");
                if (parts.length != 3) throw new IOException("unexpected cat-file header: " + header);
                long size = Long.parseLong(parts[2]);
                byte[] head = stdout.readNBytes((int) Math.min(size, BINARY_PROBE));
                stdout.skipNBytes(size - head.length);
                stdout.read(); // the LF after the content
                boolean binary = false;
                for (byte b : head) {
                    if (b == 0) {
                        binary = true;
                        break;
                    }
                }
                info.put(parts[0], new BlobInfo(size, binary, new String(head, StandardCharsets.UTF_8)));
            }
            return info;
        });
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("cat-file output ended early");
            line.append((char) c);
        }
        return line.toString();
    }

    private void copyIgnored(Path dir, List<String> globs) {
        List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--ignored", "--exclude-standard",
                "--", ":(exclude).ensemble"));
        for (String glob : globs) args.add(":(glob)" + glob);
        for (String path : git.check(git.listWalkingWorktrees(args)).fields()) {
            if (path.isEmpty()) continue;
            Path from = repoRoot.resolve(path);
            Path to = dir.resolve(path).normalize();
            if (!to.startsWith(dir)) continue;
            try {
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy ignored file " + path + " into the workspace", e);
            }
        }
    }

    private void refuseCheckedOut(String branch) {
        String wanted = "branch refs/heads/" + branch;
        for (String line : worktreeCommand("list", "--porcelain").split("\n")) {
            if (line.equals(wanted)) {
                throw new GitException("refusing to merge into " + branch + ": it is checked out in a working tree", -1);
            }
        }
    }

    /**
     * A {@code git worktree} subcommand, one at a time per repository in this JVM, retried a few
     * times when another process caught git half-way through writing a worktree's metadata.
     */
    private String worktreeCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("worktree"));
        command.addAll(List.of(args));
        return git.check(underWorktreeLock(command)).out();
    }

    /**
     * A git command that reads every worktree's metadata ({@code worktree …}, {@code branch -D}, which
     * checks no worktree has the branch out): one at a time per repository in this JVM, and retried
     * when it caught a parallel {@code worktree add} half-way ("failed to read …/commondir").
     */
    private Git.Result underWorktreeLock(List<String> command) {
        ReentrantLock lock = WORKTREE_LOCKS.computeIfAbsent(commonDir, d -> new ReentrantLock());
        for (int attempt = 1; ; attempt++) {
            Git.Result result;
            lock.lock();
            try {
                result = git.exec(command, null);
            } finally {
                lock.unlock();
            }
            if (result.ok() || attempt == 3 || !result.stderr().contains("failed to read")) return result;
            try {
                Thread.sleep(50L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result;
            }
        }
    }

    private static void excludeEnsembleFolder(Git git, Path commonDir) {
        if (git.exec("check-ignore", "-q", "--no-index", ".ensemble/worktrees/x").ok()) return;
        Path exclude = commonDir.resolve("info").resolve("exclude");
        try {
            Files.createDirectories(exclude.getParent());
            String existing = Files.exists(exclude) ? Files.readString(exclude) : "";
            String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
            Files.writeString(exclude, prefix + "# ensemble's worktrees, database and transcripts\n/.ensemble/\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add .ensemble/ to " + exclude, e);
        }
    }

    static Path commonDir(Git git, Path root) {
        return root.resolve(git.ok("rev-parse", "--git-common-dir")).normalize();
    }

    /** A worktree's git directory: the path itself when it is a directory, else where its gitfile points. */
    static Path resolveGitDir(Path gitDirOrFile) {
        if (Files.isDirectory(gitDirOrFile, LinkOption.NOFOLLOW_LINKS)) return gitDirOrFile;
        try {
            String content = Files.readString(gitDirOrFile).strip();
            if (!content.startsWith("gitdir:")) throw new GitException("not a gitfile: " + gitDirOrFile, -1);
            return gitDirOrFile.getParent().resolve(content.substring("gitdir:".length()).strip()).normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gitDirOrFile, e);
        }
    }

    private static void requireSafeId(String what, String id) {
        if (id == null || !SAFE_ID.matcher(id).matches() || id.contains("..") || id.endsWith(".lock")) {
            throw new IllegalArgumentException(what + " must be letters, digits, '.', '_' or '-' (no '..'): " + id);
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private void deleteEmptyParents(Path dir) {
        try {
            if (dir != null && dir.startsWith(worktreesRoot()) && !dir.equals(worktreesRoot())) Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Not empty: another task of the run still has its worktree there.
        }
    }
}
