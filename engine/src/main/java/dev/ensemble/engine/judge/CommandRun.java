package dev.ensemble.engine.judge;

import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A test or lint command run through {@code sh -c} in a worktree, with a time limit that kills the
 * whole process tree (a test runner's children included). Only the end of the output is kept: that
 * is where test runners put the failures and the summary.
 */
record CommandRun(String command, int exitCode, boolean timedOut, String outputTail) {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH).*");

    boolean ok() {
        return !timedOut && exitCode == 0;
    }

    static CommandRun run(String command, Path directory, Duration timeout, int tailChars) {
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", "-c", command)).directory(directory.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        // The code under test was written by a model: it gets no credentials of ours.
        env.keySet().removeIf(name -> SECRET_NAME.matcher(name).matches());
        env.put("CI", "true");
        env.put("GIT_TERMINAL_PROMPT", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new CommandRun(command, -1, false, "cannot start: " + e.getMessage());
        }
        Tail tail = new Tail(tailChars);
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
        String text = Redactor.global().redact(tail.text());
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

    /** The last {@code limit} characters of a stream, read to its end so the child never blocks on a full pipe. */
    private static final class Tail {
        private final int limit;
        private final StringBuilder text = new StringBuilder();
        private boolean cut;

        Tail(int limit) {
            this.limit = limit;
        }

        void drain(InputStream in) {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) > 0; ) append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            } catch (IOException e) {
                // killed or closed: what arrived is all there is
            }
        }

        private synchronized void append(String chunk) {
            text.append(chunk);
            if (text.length() > 2 * limit) {
                text.delete(0, text.length() - limit);
                cut = true;
            }
        }

        synchronized String text() {
            if (text.length() > limit) {
                text.delete(0, text.length() - limit);
                cut = true;
            }
            String body = text.toString().strip();
            return cut ? "[... earlier output omitted ...]\n" + body : body;
        }
    }
}
