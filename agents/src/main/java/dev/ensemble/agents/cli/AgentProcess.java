package dev.ensemble.agents.cli;

import dev.ensemble.agents.process.Launch;
import dev.ensemble.agents.process.LaunchSpec;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.process.OutputTail;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one agent CLI to its end: in the worktree, with exactly the environment it is given (nothing
 * inherited), stdin from /dev/null, stdout delivered line by line as it comes (on a virtual
 * thread), the end of stderr kept, and a timeout after which the whole process tree is killed.
 *
 * <p>Descendants are tracked while the process runs, because once a parent dies its children are
 * re-parented and can no longer be found from it. Whatever is left of the tree when the CLI exits
 * (a background {@code npm install}, a language server) is killed too: no agent outlives its run.
 */
public final class AgentProcess {

    /** What to run. {@code environment} is the complete environment of the process. */
    public record Spec(List<String> command, Path workdir, Map<String, String> environment, Duration timeout) {
        public Spec {
            command = List.copyOf(command);
            if (command.isEmpty()) throw new IllegalArgumentException("empty command");
            Objects.requireNonNull(workdir, "workdir");
            environment = Map.copyOf(environment);
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * How the process ended. {@code exitCode} is -1 when it was killed or never started;
     * {@code startFailure} says why it could not start; {@code killedPids} are the processes of
     * the tree that had to be killed (on a timeout, or left behind at exit).
     */
    public record Outcome(int exitCode, boolean timedOut, String stderr, Duration duration, Optional<String> startFailure,
                          List<Long> killedPids) {
        public Outcome {
            stderr = stderr == null ? "" : stderr;
            killedPids = List.copyOf(killedPids);
        }

        public boolean started() {
            return startFailure.isEmpty();
        }
    }

    private final Launcher launcher;
    private final int stderrLimit;

    public AgentProcess(Duration killGrace, int stderrLimit) {
        this(Launcher.unconfined().withKillGrace(Objects.requireNonNull(killGrace, "killGrace")), stderrLimit);
    }

    public AgentProcess(Launcher launcher, int stderrLimit) {
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.stderrLimit = stderrLimit;
    }

    public AgentProcess(CliSettings settings) {
        this(settings.launcher().withKillGrace(settings.killGrace()), settings.stderrLimit());
    }

    /** Runs the spec unconfined but for its environment; {@code onLine} gets each stdout line on the reading thread. */
    public Outcome run(Spec spec, Consumer<String> onLine) {
        return run(LaunchSpec.of(spec.command(), spec.workdir(), spec.environment()), spec.timeout(), onLine);
    }

    /**
     * Runs the launch spec through the launcher (its sandbox, its tree kill) until it exits or
     * {@code timeout} passes; {@code onLine} gets each stdout line and must not block for long.
     */
    public Outcome run(LaunchSpec spec, Duration timeout, Consumer<String> onLine) {
        long startNanos = System.nanoTime();
        Launch launch;
        try {
            launch = launcher.start(spec);
        } catch (IOException | RuntimeException e) {
            return new Outcome(-1, false, "", elapsed(startNanos), Optional.of("cannot start " + spec.command().get(0) + ": "
                    + e.getMessage()), List.of());
        }
        Thread stdout = Thread.ofVirtual().name("agent-stdout-" + launch.pid()).start(() -> readLines(launch.stdout(), onLine));
        OutputTail stderr = new OutputTail(stderrLimit);
        Thread stderrReader = Thread.ofVirtual().name("agent-stderr-" + launch.pid()).start(() -> stderr.drain(launch.stderr()));

        boolean exited;
        boolean interrupted = false;
        try {
            exited = launch.waitFor(timeout);
        } catch (InterruptedException e) {
            exited = false;
            interrupted = true;
        }
        int exitCode = exited ? launch.exitCode() : -1;
        // Ends whatever the CLI left (a background npm install, a language server, a detached child).
        launch.close();
        join(stdout, launcher.killGrace().plusSeconds(2));
        join(stderrReader, launcher.killGrace().plusSeconds(2));
        if (interrupted) Thread.currentThread().interrupt();

        Optional<String> failure = interrupted ? Optional.of("interrupted while waiting for the agent") : Optional.empty();
        return new Outcome(exitCode, !exited && !interrupted, stderr.truncated() ? "…" + stderr.text() : stderr.text(),
                elapsed(startNanos), failure, launch.killed());
    }

    /**
     * Kills the root and every known descendant that is still alive: a polite destroy first, then,
     * after the grace period, destroyForcibly for whatever remains. Returns the pids that were alive.
     */
    static List<Long> killTree(ProcessHandle root, Set<ProcessHandle> known, Duration grace) {
        Set<ProcessHandle> all = ConcurrentHashMap.newKeySet();
        all.addAll(known);
        all.add(root);
        if (root.isAlive()) all.addAll(root.descendants().toList());
        List<ProcessHandle> alive = all.stream().filter(AgentProcess::running).toList();
        if (alive.isEmpty()) return List.of();
        alive.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && all.stream().anyMatch(AgentProcess::running)) {
            // Children forked during the grace period are caught here too.
            alive.stream().filter(AgentProcess::running).forEach(h -> h.descendants().forEach(all::add));
            sleepQuietly(Duration.ofMillis(50));
        }
        List<ProcessHandle> stubborn = all.stream().filter(AgentProcess::running).toList();
        stubborn.forEach(ProcessHandle::destroyForcibly);
        long killDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < killDeadline && stubborn.stream().anyMatch(AgentProcess::running)) {
            sleepQuietly(Duration.ofMillis(20));
        }
        List<Long> pids = new ArrayList<>();
        alive.forEach(h -> pids.add(h.pid()));
        return pids;
    }

    /**
     * Alive and not a zombie. A killed orphan stays a zombie until init reaps it (seconds, in some
     * containers), and ProcessHandle.isAlive counts zombies as alive; a zombie runs nothing and
     * holds no pipe, so it counts as ended here. Linux only: elsewhere isAlive is all there is.
     */
    static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return handle.isAlive();
        }
    }

    private static void readLines(InputStream in, Consumer<String> onLine) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                try {
                    onLine.accept(line);
                } catch (RuntimeException e) {
                    // A parser bug must not stop the reading: the CLI would block on a full pipe.
                }
            }
        } catch (IOException e) {
            // The stream closes when the process is killed.
        }
    }

    private static void join(Thread thread, Duration max) {
        try {
            thread.join(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
