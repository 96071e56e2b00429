package dev.ensemble.engine.judge;

import dev.ensemble.agents.process.ChildEnvironment;
import dev.ensemble.agents.process.OutputTail;
import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", "-c", command)).directory(directory.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        // The code under test was written by a model: it gets no credentials of ours.
        ChildEnvironment.removeSecrets(env);
        env.put("CI", "true");
        env.put("GIT_TERMINAL_PROMPT", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new CommandRun(command, -1, false, "cannot start: " + e.getMessage());
        }
        OutputTail tail = new OutputTail(tailChars);
        Thread reader = Thread.ofVirtual().name("judge-command-output").start(() -> tail.drain(process.getInputStream()));
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            return new CommandRun(command, -1, false, "interrupted; the command was killed");
        }
        if (!exited) killTree(process);
        try {
            // A grandchild that escaped the kill could hold the pipe open: do not wait for it forever.
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String kept = tail.text().strip();
        String text = Redactor.global().redact(tail.truncated() ? "[... earlier output omitted ...]\n" + kept : kept);
        return new CommandRun(command, exited ? process.exitValue() : -1, !exited, text);
    }

    private static void killTree(Process process) {
        // Children first, so none is re-parented away before we reach it.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
