package dev.ensemble.agents.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Detect and undo, with or without a sandbox: armed right before an attempt (the agent, then the
 * judge's commands), it keeps what an attempt could harm in the main repository, and
 * {@link #checkAndUndo} compares and restores.
 *
 * <ul>
 *   <li>the main working tree ({@link Snapshot}'s stamps; tracked files restored from the blob the
 *       index named, uncommitted and untracked ones from a copy, files that appeared moved to
 *       {@code .ensemble/quarantine/});</li>
 *   <li>ignored files that matter: {@code .env*} anywhere and {@code policy.watch_ignored} globs
 *       (listed by git, stamped, copied: never hashed as a tree, so {@code node_modules} costs a listing);</li>
 *   <li>git's {@code config}, {@code HEAD}, hooks and info files (restored from a copy) and every ref
 *       outside ensemble's own (restored by compare-and-swap), and the run branch ({@link RunBranch});</li>
 *   <li>loose objects ({@link ObjectGuard}) and packs;</li>
 *   <li>other tasks' worktrees that were idle during the attempt (a write into them is the attempt's);</li>
 *   <li>outside the repository, the user's home files that {@code policy.watch_home} names
 *       ({@link HomeWatch}: {@code ~/.ssh}, shell start-up files, git and cloud config…).</li>
 * </ul>
 * Each difference is a {@link Finding}: what changed, and whether it was restored or why not.
 */
public final class AttemptGuard {
    /** One difference the guard found: the rule (as the enforcer's), and what was done about it. */
    public record Finding(String path, String rule, String detail, boolean restored, String restoration) {
        public String line() {
            return rule + " " + path + ": " + detail + " — " + (restored ? "restored" : "NOT restored: " + restoration);
        }
    }

    /** Worktrees whose attempt is running now (this JVM), and a counter per worktree of attempts begun. */
    private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();
    private static final Map<Path, AtomicLong> EPOCHS = new ConcurrentHashMap<>();

    private final Workspace ws;
    private final Path root;
    private final List<String> watchIgnored;
    private final boolean guardMainTree;
    private final Optional<RunBranch> runBranch;
    private final FileKeeper keeper;
    private final ObjectGuard objects;
    private final HomeWatch home;
    private Snapshot snapshot;
    private Map<String, Snapshot.FileStamp> ignored;
    private final Map<Path, Map<String, Snapshot.FileStamp>> others = new TreeMap<>();
    private final Map<Path, Long> otherEpochs = new TreeMap<>();
    private boolean disarmed;

    private AttemptGuard(Workspace ws, List<String> watchIgnored, boolean guardMainTree, Optional<RunBranch> runBranch,
                         Path userHome, List<String> watchHome) {
        this.ws = ws;
        this.root = ws.repoRoot().toAbsolutePath().normalize();
        this.watchIgnored = List.copyOf(watchIgnored);
        this.guardMainTree = guardMainTree;
        this.runBranch = runBranch;
        Git git = Git.in(root);
        Path common = WorkspaceManager.commonDir(git, root);
        this.keeper = new FileKeeper(root, git, common, ws, quarantine());
        this.objects = new ObjectGuard(common.resolve("objects"), root.resolve(".ensemble").resolve("guard").resolve("objects"));
        this.home = new HomeWatch(userHome, watchHome, quarantine());
    }

    /** Takes the baseline, watching nothing outside the repository; call right before the agent starts. */
    public static AttemptGuard arm(Workspace ws, List<String> watchIgnored, boolean guardMainTree, Optional<RunBranch> runBranch) {
        return arm(ws, watchIgnored, guardMainTree, runBranch, Path.of(System.getProperty("user.home")), List.of());
    }

    /**
     * Takes the baseline; call right before the agent starts. {@code watchHome} ({@code
     * policy.watch_home}) names the files of {@code userHome} (the user's, not an agent's private
     * home) that are kept and restored as well.
     */
    public static AttemptGuard arm(Workspace ws, List<String> watchIgnored, boolean guardMainTree, Optional<RunBranch> runBranch,
                                   Path userHome, List<String> watchHome) {
        AttemptGuard guard = new AttemptGuard(ws, watchIgnored, guardMainTree, runBranch, userHome, watchHome);
        Path self = ws.directory().toAbsolutePath().normalize();
        EPOCHS.computeIfAbsent(self, p -> new AtomicLong()).incrementAndGet();
        ACTIVE.add(self);
        guard.baseline();
        return guard;
    }

    private void baseline() {
        snapshot = Snapshot.take(ws);
        keeper.keepGitFiles();
        keeper.keepMainTree(snapshot.mainTree().keySet());
        ignored = keeper.watchedIgnored(watchIgnored);
        keeper.keepCopies(ignored.keySet());
        objects.baseline();
        home.baseline();
        others.clear();
        otherEpochs.clear();
        Path self = ws.directory().toAbsolutePath().normalize();
        for (Path other : worktrees()) {
            if (other.equals(self)) continue;
            others.put(other, FileKeeper.stampTree(other));
            otherEpochs.put(other, EPOCHS.computeIfAbsent(other, p -> new AtomicLong()).get());
        }
    }

    /**
     * Compares the repository with the baseline, restores what differs and can be restored, and
     * returns every difference. The baseline is then taken again, so a second call (after the judge)
     * reports only what happened since.
     */
    public List<Finding> checkAndUndo() {
        List<Finding> findings = new ArrayList<>();
        runBranch.ifPresent(branch -> {
            Optional<String> moved = branch.restore();
            moved.ifPresent(was -> findings.add(new Finding(branch.ref(), "run-branch-moved", "the run branch was moved to "
                    + was + " by someone other than ensemble", true, "")));
            branch.restoreRecord().ifPresent(was -> findings.add(new Finding(".ensemble/run-branches/" + ws.runId(),
                    "ignored-file-modified", "the record of the run branch was changed to '" + was + "' by someone other than ensemble",
                    true, "")));
        });
        Snapshot now = Snapshot.take(ws);
        for (Snapshot.Drift drift : snapshot.driftTo(now)) {
            if (drift.kind() == Snapshot.Drift.Kind.MAIN_TREE && !guardMainTree) continue;
            findings.add(drift.kind() == Snapshot.Drift.Kind.GIT_INTERNALS
                    ? keeper.restoreGit(drift, snapshot.refs(), now.refs())
                    : keeper.restoreMainTree(drift));
        }
        Map<String, Snapshot.FileStamp> ignoredNow = keeper.watchedIgnored(watchIgnored);
        for (String path : union(ignored.keySet(), ignoredNow.keySet())) {
            if (java.util.Objects.equals(ignored.get(path), ignoredNow.get(path))) continue;
            findings.add(keeper.restoreCopy(path, "ignored-file-modified", ignored.containsKey(path)
                    ? (ignoredNow.containsKey(path) ? "ignored file modified" : "ignored file deleted") : "ignored file created"));
        }
        findings.addAll(objects.checkAndUndo(Git.in(root)));
        findings.addAll(home.checkAndUndo());
        for (var entry : others.entrySet()) {
            Path other = entry.getKey();
            long epoch = EPOCHS.getOrDefault(other, new AtomicLong()).get();
            // A worktree whose own agent ran meanwhile cannot tell its writes from ours: the sandbox hides it instead.
            if (ACTIVE.contains(other) || epoch != otherEpochs.get(other) || !Files.isDirectory(other)) continue;
            Map<String, Snapshot.FileStamp> stamps = FileKeeper.stampTree(other);
            for (String path : union(entry.getValue().keySet(), stamps.keySet())) {
                if (java.util.Objects.equals(entry.getValue().get(path), stamps.get(path))) continue;
                findings.add(new Finding(root.relativize(other.resolve(path)).toString(), "other-worktree",
                        "written in another task's worktree while this attempt ran", false,
                        "that task's attempt is rejected instead (its worktree is not restored)"));
            }
        }
        baseline();
        return List.copyOf(findings);
    }

    /**
     * ensemble itself is writing {@code worktree} (creating, committing, resetting or removing it):
     * an attempt running beside it must not take those writes for its own agent's.
     */
    public static void ensembleWrites(Path worktree) {
        EPOCHS.computeIfAbsent(worktree.toAbsolutePath().normalize(), p -> new AtomicLong()).incrementAndGet();
    }

    /** The attempt is over: other attempts may again attribute writes in this worktree. */
    public void disarm() {
        if (disarmed) return;
        disarmed = true;
        Path self = ws.directory().toAbsolutePath().normalize();
        // what ensemble does next in this worktree (commit, judge, reset for a retry) is not an agent's
        EPOCHS.computeIfAbsent(self, p -> new AtomicLong()).incrementAndGet();
        ACTIVE.remove(self);
    }

    private Path quarantine() {
        return root.resolve(".ensemble").resolve("quarantine").resolve(ws.runId()).resolve(ws.taskId());
    }

    private List<Path> worktrees() {
        Path base = root.resolve(".ensemble").resolve("worktrees");
        List<Path> found = new ArrayList<>();
        try (var runs = Files.list(base)) {
            for (Path run : runs.toList()) {
                if (!Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)) continue;
                try (var tasks = Files.list(run)) {
                    tasks.filter(t -> Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)).map(t -> t.toAbsolutePath().normalize())
                            .forEach(found::add);
                }
            }
        } catch (IOException e) {
            // No worktrees folder yet.
        }
        return found;
    }

    private static java.util.TreeSet<String> union(Set<String> a, Set<String> b) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
