package dev.ensemble.engine.review;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads what to review from git: changes since a commit, the staged changes, or whole files.
 *
 * <p>Unlike the agents module's {@code Git}, this keeps the caller's {@code GIT_*} variables: run
 * from a pre-commit hook, {@code git commit -a} or {@code git commit <paths>} stage into a temporary
 * index named by {@code GIT_INDEX_FILE}, and the review must see that index. It only reads.
 *
 * <p>Every problem the user can fix (not a repository, an unknown ref, no file matching) is an
 * {@link IllegalArgumentException} saying so.
 */
public final class DiffSource {
    private static final List<String> DIFF = List.of("-c", "core.quotePath=false", "-c", "color.ui=false", "diff",
            "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "-U3");
    /** Files above this are not sent whole: a review of a generated megabyte helps nobody. */
    static final long MAX_WHOLE_FILE_BYTES = 1_000_000;

    private final Path repo;

    private DiffSource(Path repo) {
        this.repo = repo;
    }

    /** @throws IllegalArgumentException when {@code dir} is not inside a git working tree */
    public static DiffSource in(Path dir) {
        Run top = git(dir, List.of("rev-parse", "--show-toplevel"));
        if (top.exit() != 0 || top.out().isBlank()) {
            throw new IllegalArgumentException(dir + " is not a git repository (review reads changes from git; use git init, "
                    + "or run it inside a repository)");
        }
        return new DiffSource(Path.of(top.out().strip()));
    }

    public Path repo() {
        return repo;
    }

    /** The changes of the working tree and index since {@code ref} ({@code git diff REF}). */
    public Diff since(String ref) {
        if (ref.isBlank() || ref.startsWith("-")) throw new IllegalArgumentException("'" + ref + "' is not a git revision");
        Run verify = git(repo, List.of("rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"));
        if (verify.exit() != 0) {
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
        Run list = git(repo, List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ":(glob)" + glob));
        if (list.exit() != 0) throw new IllegalArgumentException("cannot list files for '" + glob + "': " + list.err().strip());
        List<Diff.WholeFile> files = new ArrayList<>();
        for (String path : new java.util.LinkedHashSet<>(List.of(list.out().split("\0")))) {
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
        Run run = git(repo, command);
        if (run.exit() != 0) throw new IllegalArgumentException("git diff failed: " + run.err().strip());
        return run.out();
    }

    private static boolean binary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8_000); i++) if (bytes[i] == 0) return true;
        return false;
    }

    private record Run(int exit, String out, String err) {}

    private static Run git(Path dir, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot run git (is it installed?): " + e.getMessage());
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()), Thread::startVirtualThread);
        byte[] out = drain(process.getInputStream());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("git " + String.join(" ", args) + " timed out");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running git");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
