package dev.ensemble.agents.cli;

import dev.ensemble.agents.process.Launch;
import dev.ensemble.agents.process.LaunchSpec;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.process.OutputTail;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs one agent CLI to its end: in the worktree, with exactly the environment it is given (nothing
 * inherited), stdin from /dev/null, stdout delivered line by line as it comes (on a virtual
 * thread), the end of stderr kept, and a timeout after which the whole process tree is killed.
 *
 * <p>The process starts through a {@link Launcher} (the run's sandbox); whatever is left of its tree
 * when the CLI exits (a background {@code npm install}, a language server, a detached child) is
 * ended by {@link Launch#close()}: no agent outlives its run.
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

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
