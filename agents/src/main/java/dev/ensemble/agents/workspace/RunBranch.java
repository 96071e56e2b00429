package dev.ensemble.agents.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A run's branch {@code ensemble/<run>/_run}, as ensemble left it. ensemble creates it when the run
 * starts (create-only: a branch of that name that already exists was not made by this run) and
 * moves it only by compare-and-swap from the commit it last wrote ({@code git update-ref <ref> <new>
 * <expected>}). A branch that is anywhere else was moved by someone else, an agent most likely: it
 * is a violation ({@link RunBranchMovedException}), never a base to build on, and {@link #restore}
 * puts it back.
 *
 * <p>The commit ensemble last wrote is kept in memory and in {@code .ensemble/run-branches/<run>}
 * (which a sandboxed agent cannot see, and which the attempt guard restores otherwise), so a resumed
 * run checks against it too. Moves are serialised per object: parallel tasks of one run share it.
 */
public final class RunBranch {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    private final Git git;
    private final String name;
    private final Path record;
    private String expected;
    /** The commit the run started from, when this object created the branch (null on a resume). */
    private final String base;

    private RunBranch(Git git, String name, Path record, String expected, String base) {
        this.git = git;
        this.name = name;
        this.record = record;
        this.expected = expected;
        this.base = base;
    }

    /**
     * Creates the run's branch at {@code baseCommit}. A branch of that name that already exists
     * is refused: whoever made it, it was not this run.
     */
    public static RunBranch create(Path repoRoot, String runId, String baseCommit) {
        String name = WorkspaceManager.runBranchName(runId);
        Git git = Git.in(repoRoot);
        String base = git.ok("rev-parse", "--verify", "--end-of-options", baseCommit + "^{commit}");
        // The empty old value means "must not exist yet".
        Git.Result created = git.exec("update-ref", "-m", "ensemble: run " + runId + " starts", "refs/heads/" + name, base, "");
        if (!created.ok()) {
            Git.Result existing = git.exec("rev-parse", "--verify", "--quiet", "refs/heads/" + name);
            if (existing.ok()) {
                throw new RunBranchMovedException(name, "(none: the run starts now)", existing.out(),
                        "the run branch " + name + " already exists at " + abbrev(existing.out())
                                + " before the run made it: refusing to build on a branch ensemble did not create");
            }
            git.check(created);
        }
        RunBranch branch = new RunBranch(git, name, recordFile(repoRoot, runId), base, base);
        branch.persist();
        return branch;
    }

    /**
     * The branch of a run that already started (a resume): the commit ensemble recorded, checked
     * against the ref. Empty when this run never created one (it stopped before); a branch without
     * a record was not made by ensemble and is refused.
     */
    public static Optional<RunBranch> resume(Path repoRoot, String runId) {
        String name = WorkspaceManager.runBranchName(runId);
        Path record = recordFile(repoRoot, runId);
        Git git = Git.in(repoRoot);
        Git.Result current = git.exec("rev-parse", "--verify", "--quiet", "refs/heads/" + name);
        String recorded;
        String pending = "";
        try {
            List<String> lines = Files.isRegularFile(record) ? Files.readAllLines(record) : List.of();
            recorded = lines.isEmpty() ? "" : lines.get(0).strip();
            if (lines.size() > 1) pending = lines.get(1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + record, e);
        }
        if (recorded.isEmpty()) {
            if (!current.ok()) return Optional.empty();
            // ensemble records a branch the moment it creates one: this one it did not make.
            throw new RunBranchMovedException(name, "(none)", current.out(), "the run branch " + name
                    + " exists but this run never recorded making it: refusing to build on it");
        }
        if (!SHA.matcher(recorded).matches()) throw new IllegalStateException("the record " + record + " is not a commit id");
        // Killed between moving the ref and recording it: the move ensemble announced first is its own.
        if (SHA.matcher(pending).matches() && current.ok() && current.out().equals(pending)) recorded = pending;
        RunBranch branch = new RunBranch(git, name, record, recorded, null);
        branch.verify();
        if (!pending.isEmpty()) branch.persist();  // the announced move is settled either way
        return Optional.of(branch);
    }

    public String name() {
        return name;
    }

    public String ref() {
        return "refs/heads/" + name;
    }

    /** The commit ensemble last wrote. */
    public synchronized String expected() {
        return expected;
    }

    /** Throws {@link RunBranchMovedException} unless the branch is where ensemble left it. */
    public synchronized void verify() {
        Git.Result current = git.exec("rev-parse", "--verify", "--quiet", ref());
        String now = current.ok() ? current.out() : "(deleted)";
        if (!now.equals(expected)) {
            throw new RunBranchMovedException(name, expected, now, "the run branch " + name + " was moved from "
                    + abbrev(expected) + " to " + abbrev(now) + " by someone other than ensemble");
        }
    }

    /** Moves the branch from the commit ensemble last wrote to {@code newTip}; false (nothing moved) when it was not there. */
    synchronized boolean advance(String newTip, String reason) {
        // Announced before the move, so a process killed between the two still knows the new tip is ensemble's.
        write(expected + "\n" + newTip + "\n");
        if (!git.exec("update-ref", "-m", "ensemble: " + reason, ref(), newTip, expected).ok()) {
            persist();
            return false;
        }
        expected = newTip;
        persist();
        return true;
    }

    /**
     * Deletes the branch, by compare-and-swap, when nothing ever landed on it (it is still at the
     * commit this run created it on), so a run whose change was rejected leaves no branch behind.
     * True when it was deleted; a branch that moved or a resumed run's branch is left alone.
     */
    public synchronized boolean discardIfNothingLanded() {
        if (base == null || !expected.equals(base)) return false;
        if (!git.exec("update-ref", "-m", "ensemble: nothing landed", "-d", ref(), expected).ok()) return false;
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            // A stale record names a branch that no longer exists: resume treats that as "never created".
        }
        return true;
    }

    /**
     * Rewrites this run's record of the branch when it is not what ensemble last wrote (another
     * process or an agent changed it); returns what was found. Parallel tasks of the run move the
     * record legitimately, through this object, so the record is compared with it, not with a stamp.
     */
    public synchronized Optional<String> restoreRecord() {
        String found;
        try {
            found = Files.isRegularFile(record) ? Files.readString(record).strip() : "(missing)";
            // a move in flight (another task of the run merging now) writes "expected\nnew": still ensemble's
            if (found.startsWith(expected + "\n")) return Optional.empty();
        } catch (IOException e) {
            found = "(unreadable)";
        }
        if (found.equals(expected)) return Optional.empty();
        persist();
        return Optional.of(found);
    }

    /** Puts the branch back where ensemble left it; returns where it was found when it had moved. */
    public synchronized Optional<String> restore() {
        Git.Result current = git.exec("rev-parse", "--verify", "--quiet", ref());
        if (current.ok() && current.out().equals(expected)) return Optional.empty();
        git.ok("update-ref", "-m", "ensemble: restored after a foreign move", ref(), expected);
        return Optional.of(current.ok() ? current.out() : "(deleted)");
    }

    /** Runs {@code work} with the branch held: parallel tasks of the run merge one after another. */
    synchronized <T> T locked(java.util.function.Supplier<T> work) {
        return work.get();
    }

    private void persist() {
        write(expected + "\n");
    }

    private void write(String text) {
        try {
            Files.createDirectories(record.getParent());
            Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the run branch in " + record, e);
        }
    }

    private static Path recordFile(Path repoRoot, String runId) {
        return repoRoot.resolve(".ensemble").resolve("run-branches").resolve(runId);
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 && SHA.matcher(sha).matches() ? sha.substring(0, 12) : sha;
    }
}
