package dev.ensemble.engine.review;

import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.GitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what to review from git: changes since a commit, the staged changes, or whole files.
 *
 * <p>It keeps the caller's {@code GIT_*} variables ({@link Git#keepingCallerGitEnvironment()}): run
 * from a pre-commit hook, {@code git commit -a} or {@code git commit <paths>} stage into a temporary
 * index named by {@code GIT_INDEX_FILE}, and the review must see that index. It only reads.
 *
 * <p>Every problem the user can fix (not a repository, an unknown ref, no file matching) is an
 * {@link IllegalArgumentException} saying so.
 */
public final class DiffSource {
    private static final List<String> DIFF = List.of("diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "-U3");
    /** Files above this are not sent whole: a review of a generated megabyte helps nobody. */
    static final long MAX_WHOLE_FILE_BYTES = 1_000_000;

    private final Path repo;
    private final Git git;

    private DiffSource(Path repo) {
        this.repo = repo;
        this.git = reader(repo);
    }

    /** @throws IllegalArgumentException when {@code dir} is not inside a git working tree */
    public static DiffSource in(Path dir) {
        Git.Result top = run(reader(dir), List.of("rev-parse", "--show-toplevel"));
        if (!top.ok() || top.out().isBlank()) {
            throw new IllegalArgumentException(dir + " is not a git repository (review reads changes from git; use git init, "
                    + "or run it inside a repository)");
        }
        return new DiffSource(Path.of(top.out()));
    }

    public Path repo() {
        return repo;
    }

    /** The changes of the working tree and index since {@code ref} ({@code git diff REF}). */
    public Diff since(String ref) {
        if (ref.isBlank() || ref.startsWith("-")) throw new IllegalArgumentException("'" + ref + "' is not a git revision");
        Git.Result verify = run(git, List.of("rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"));
        if (!verify.ok()) {
            throw new IllegalArgumentException("'" + ref + "' is not a commit in " + repo
                    + (ref.equals("HEAD") ? " (no commit yet: use --staged)" : " (try a branch, tag or commit id)"));
        }
        return Diff.parse("changes since " + ref, diff(List.of(ref)));
    }

    /** What is staged for the next commit ({@code git diff --cached}); also right before the first commit. */
    public Diff staged() {
        return Diff.parse("staged changes", diff(List.of("--cached")));
    }

    /**
     * Whole files matching a glob ({@code src/**}{@code /*.java}; git pathspec glob rules), tracked
     * or untracked but not ignored. Binary and oversized files are skipped.
     */
    public Diff files(String glob) {
        Git.Result list = run(git, List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ":(glob)" + glob));
        if (!list.ok()) throw new IllegalArgumentException("cannot list files for '" + glob + "': " + list.stderr());
        List<Diff.WholeFile> files = new ArrayList<>();
        for (String path : new java.util.LinkedHashSet<>(list.fields())) {
            if (path.isEmpty()) continue;
            Path file = repo.resolve(path);
            try {
                if (!Files.isRegularFile(file) || Files.size(file) > MAX_WHOLE_FILE_BYTES) continue;
                byte[] bytes = Files.readAllBytes(file);
                if (binary(bytes)) continue;
                files.add(new Diff.WholeFile(path, new String(bytes, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return Diff.wholeFiles("files matching " + glob, files);
    }

    private String diff(List<String> args) {
        List<String> command = new ArrayList<>(DIFF);
        command.addAll(args);
        command.add("--");
        Git.Result diff = run(git, command);
        if (!diff.ok()) throw new IllegalArgumentException("git diff failed: " + diff.stderr());
        return new String(diff.stdout(), StandardCharsets.UTF_8);
    }

    private static boolean binary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8_000); i++) if (bytes[i] == 0) return true;
        return false;
    }

    private static Git reader(Path dir) {
        return Git.in(dir).keepingCallerGitEnvironment();
    }

    private static Git.Result run(Git git, List<String> args) {
        try {
            return git.exec(args.toArray(String[]::new));
        } catch (GitException e) {
            // Only a git that cannot start is the user's to fix; a timeout or an interrupt stays a failure.
            if (e.getCause() instanceof IOException) throw new IllegalArgumentException("cannot run git (is it installed?): " + e.getMessage());
            throw e;
        }
    }
}
