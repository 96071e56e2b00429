package dev.ensemble.engine.judge;

import dev.ensemble.agents.process.ChildEnvironment;
import dev.ensemble.agents.process.Confinement;
import dev.ensemble.agents.process.Launch;
import dev.ensemble.agents.process.OutputTail;
import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * A test or lint command run through {@code sh -c} in a worktree, with a time limit that kills the
 * whole process tree (a test runner's children included). Only the end of the output is kept: that
 * is where test runners put the failures and the summary.
 */
record CommandRun(String command, int exitCode, boolean timedOut, String outputTail) {

    boolean ok() {
        return !timedOut && exitCode == 0;
    }

    static CommandRun run(String command, Path directory, Duration timeout, int tailChars) {
        return run(command, Confinement.unconfined(directory), timeout, tailChars);
    }

    /** Runs through the launcher: the worktree's sandbox, and every process the command started ended afterwards. */
    static CommandRun run(String command, Confinement confinement, Duration timeout, int tailChars) {
        Map<String, String> env = new HashMap<>(System.getenv());
        // The code under test was written by a model: it gets no credentials of ours.
        ChildEnvironment.removeSecrets(env);
        env.put("CI", "true");
        env.put("GIT_TERMINAL_PROMPT", "0");
        OutputTail tail = new OutputTail(tailChars);
        boolean exited;
        int exitCode;
        try (Launch launch = confinement.launcher().start(confinement.spec(List.of("sh", "-c", command), env).withMergedStderr())) {
            Thread reader = Thread.ofVirtual().name("judge-command-output").start(() -> tail.drain(launch.stdout()));
            try {
                exited = launch.waitFor(timeout);
            } catch (InterruptedException e) {
                launch.close();
                Thread.currentThread().interrupt();
                return new CommandRun(command, -1, false, "interrupted; the command was killed");
            }
            exitCode = exited ? launch.exitCode() : -1;
            launch.close();
            try {
                // Every process of the launch is gone, so the pipe is closed; the bound is a guard.
                reader.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            return new CommandRun(command, -1, false, "cannot start: " + e.getMessage());
        }
        String kept = tail.text().strip();
        String text = Redactor.global().redact(tail.truncated() ? "[... earlier output omitted ...]\n" + kept : kept);
        return new CommandRun(command, exitCode, !exited, text);
    }
}
