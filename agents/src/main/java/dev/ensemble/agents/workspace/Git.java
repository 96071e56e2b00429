package dev.ensemble.agents.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs git as a child process for ensemble's own bookkeeping. Every call gets the same hardened
 * setting ({@link GitSafety}): a fixed ensemble identity, no global or system configuration, no
 * hooks, no filter, diff or merge driver and no other command from any configuration or
 * {@code .gitattributes}, no signing, no automatic gc; and an environment without keys or the
 * caller's {@code GIT_*} variables. Each call has a timeout after which git and its children are killed.
 */
public final class Git {
    public static final String IDENTITY_NAME = "ensemble";
    public static final String IDENTITY_EMAIL = "ensemble@localhost";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final List<String> HARDENING = GitSafety.FIXED;

    /** The result of one git call; stdout as bytes because paths need not be UTF-8 and -z output holds NULs. */
    public record Result(List<String> command, int exitCode, byte[] stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String out() {
            return new String(stdout, StandardCharsets.UTF_8).strip();
        }

        /** stdout split on NUL, for {@code -z} output; empty trailing fields dropped. */
        public List<String> fields() {
            List<String> fields = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < stdout.length; i++) {
                if (stdout[i] == 0) {
                    fields.add(new String(stdout, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < stdout.length) fields.add(new String(stdout, start, stdout.length - start, StandardCharsets.UTF_8));
            return fields;
        }
    }

    /** Reads a streaming command's stdout as it comes (used for {@code cat-file --batch}). */
    @FunctionalInterface
    public interface StdoutReader<T> {
        T read(InputStream stdout) throws IOException;
    }

    private final Path workDir;
    private final List<String> location;
    private final Duration timeout;
    private final boolean callerGitEnvironment;
    /** The environment git is started from before {@link GitSafety} filters it; null: ensemble's own. */
    private final Map<String, String> inherited;

    private Git(Path workDir, List<String> location, Duration timeout, boolean callerGitEnvironment) {
        this(workDir, location, timeout, callerGitEnvironment, null);
    }

    private Git(Path workDir, List<String> location, Duration timeout, boolean callerGitEnvironment, Map<String, String> inherited) {
        this.workDir = Objects.requireNonNull(workDir, "workDir");
        this.location = List.copyOf(location);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.callerGitEnvironment = callerGitEnvironment;
        this.inherited = inherited == null ? null : Map.copyOf(inherited);
    }

    /** This git as if ensemble had been started with {@code environment} (a {@code HOME} elsewhere, a key set): for tests. */
    Git inheriting(Map<String, String> environment) {
        return new Git(workDir, location, timeout, callerGitEnvironment, environment);
    }

    /** git run in {@code dir}, finding its repository the usual way. */
    public static Git in(Path dir) {
        return new Git(dir, List.of(), DEFAULT_TIMEOUT, false);
    }

    /**
     * git bound explicitly to a worktree's git directory and working tree, so that whatever an
     * agent did to the {@code .git} file in its worktree cannot redirect ensemble's commands.
     */
    public static Git worktree(Path gitDir, Path workTree) {
        return new Git(workTree, List.of("--git-dir=" + gitDir, "--work-tree=" + workTree), DEFAULT_TIMEOUT, false);
    }

    public Git withTimeout(Duration newTimeout) {
        return new Git(workDir, location, newTimeout, callerGitEnvironment, inherited);
    }

    /**
     * This git, keeping the caller's {@code GIT_*} variables instead of clearing them. For reading
     * what a git hook was given: {@code git commit -a} or {@code git commit <paths>} stage into a
     * temporary index named by {@code GIT_INDEX_FILE}, and a pre-commit review must see that index.
     */
    public Git keepingCallerGitEnvironment() {
        return new Git(workDir, location, timeout, true, inherited);
    }

    public Path workDir() {
        return workDir;
    }

    /** Runs git and returns its result whatever the exit status; throws only when git cannot run or times out. */
    public Result exec(String... args) {
        return exec(List.of(args), null);
    }

    public Result exec(List<String> args, byte[] stdin) {
        List<String> command = command(args);
        Process process = start(command);
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        feed(process, stdin);
        int exit = await(process, command);
        return new Result(command, exit, join(out), new String(join(err), StandardCharsets.UTF_8).strip());
    }

    /** Runs git and returns its trimmed stdout; a non-zero exit is a {@link GitException} with git's stderr. */
    public String ok(String... args) {
        return check(exec(args)).out();
    }

    /**
     * An {@code ls-files --others} listing of the main repository. git walks {@code .ensemble/worktrees/}
     * whatever the pathspec excludes, so a parallel task's worktree removed mid-walk fails the listing
     * ("Invalid path …/.ensemble/worktrees/…"): a race, not an error; it is listed again (three times at most).
     */
    public Result listWalkingWorktrees(List<String> args) {
        Result listing = exec(args, null);
        for (int again = 0; !listing.ok() && again < 3 && listing.stderr().contains("/.ensemble/worktrees/"); again++) {
            listing = exec(args, null);
        }
        return listing;
    }

    public Result check(Result result) {
        if (!result.ok()) {
            throw new GitException(describe(result.command()) + " failed (exit " + result.exitCode() + "): "
                    + (result.stderr().isEmpty() ? "(no message)" : result.stderr()), result.exitCode());
        }
        return result;
    }

    /** Runs git, handing its stdout to {@code reader} as it streams; a non-zero exit is a {@link GitException}. */
    public <T> T stream(List<String> args, byte[] stdin, StdoutReader<T> reader) {
        List<String> command = command(args);
        Process process = start(command);
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        // Fed from another thread: git answers as it reads, and would block on a full stdout pipe.
        Thread feeder = Thread.startVirtualThread(() -> feed(process, stdin));
        T value;
        try (InputStream stdout = process.getInputStream()) {
            value = reader.read(stdout);
            stdout.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            process.destroyForcibly();
            throw new GitException(describe(command) + ": reading output failed: " + e.getMessage(), e);
        }
        int exit = await(process, command);
        try {
            feeder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String stderr = new String(join(err), StandardCharsets.UTF_8).strip();
        if (exit != 0) throw new GitException(describe(command) + " failed (exit " + exit + "): " + stderr, exit);
        return value;
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(2 + HARDENING.size() + location.size() + args.size());
        command.add("git");
        command.addAll(HARDENING);
        // After the fixed list: -c given later wins, and these name the repository's own drivers.
        command.addAll(GitSafety.neutralizers(workDir, location, callerGitEnvironment));
        command.addAll(location);
        if (!args.isEmpty() && GitSafety.PATCH_COMMANDS.contains(args.getFirst())) {
            command.add(args.getFirst());
            command.addAll(GitSafety.NO_DRIVERS);
            command.addAll(args.subList(1, args.size()));
        } else {
            command.addAll(args);
        }
        return command;
    }

    private Process start(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        if (inherited != null) {
            builder.environment().clear();
            builder.environment().putAll(inherited);
        }
        // A few named variables only: no key, and no GIT_DIR or GIT_INDEX_FILE of whoever started ensemble.
        GitSafety.environment(builder.environment(), callerGitEnvironment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new GitException("cannot start " + describe(command) + " in " + workDir + ": " + e.getMessage(), e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                return buffer.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }

    private static void feed(Process process, byte[] stdin) {
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        } catch (IOException e) {
            // git exited before reading all input; its exit status says why.
        }
    }

    private int await(Process process, List<String> command) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new GitException(describe(command) + " timed out after " + timeout.toSeconds() + " s", -1);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GitException(describe(command) + " interrupted", e);
        }
    }

    private static byte[] join(CompletableFuture<byte[]> future) {
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return new byte[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new byte[0];
        }
    }

    /** The command as a user would type it, without our hardening flags (noise in an error message). */
    private static String describe(List<String> command) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-c") && i > 0) {
                i++;
                continue;
            }
            shown.add(command.get(i));
        }
        return "'" + String.join(" ", shown) + "'";
    }
}
