package dev.ensemble.agents.builtin;

import dev.ensemble.agents.process.ChildEnvironment;
import dev.ensemble.agents.process.Confinement;
import dev.ensemble.agents.process.Launch;
import java.util.HashMap;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * run_command: one allow-listed command, run in the workspace with a timeout, its output bounded.
 * Without a shell the words go to the program as they are; an argument that names a path outside
 * the workspace ({@code cat /etc/passwd}, {@code ls ../other-task}) is refused like a tool path.
 * The child gets this process's environment minus anything that looks like a credential, an empty
 * stdin, and no pager; on timeout the whole process tree is killed.
 */
final class CommandTool {
    private static final int EVENT_OUTPUT = 2000;

    private final WorkspacePaths paths;
    private final BuiltinSettings settings;
    private final Consumer<AgentEvent> events;

    private final Confinement confinement;

    CommandTool(WorkspacePaths paths, BuiltinSettings settings, Consumer<AgentEvent> events, Confinement confinement) {
        this.confinement = confinement;
        this.paths = paths;
        this.settings = settings;
        this.events = events;
    }

    ToolOutcome run(Args args) {
        String command = args.required("command").strip();
        if (command.isEmpty()) throw new ToolError("run_command: the command is empty");
        CommandLine line = CommandLine.parse(command);
        if (line.words().isEmpty()) throw new ToolError("run_command: the command is empty");
        AllowedCommand allowed = settings.allowedCommands().stream().filter(a -> a.matches(line.words())).findFirst()
                .orElseThrow(() -> new ToolError("run_command: '" + command + "' is not allowed. Allowed commands (and their "
                        + "continuations): " + allowList()));
        List<String> argv;
        if (allowed.shell()) {
            argv = List.of("sh", "-c", command);
        } else {
            if (line.special() != 0) {
                throw new ToolError("run_command runs no shell, so '" + line.special() + "' has no effect here (no pipes, "
                        + "redirection, globs, variables or chaining); run one plain command");
            }
            checkArguments(line.words());
            argv = line.words();
        }
        return execute(command, argv);
    }

    private String allowList() {
        List<String> names = new ArrayList<>();
        for (AllowedCommand a : settings.allowedCommands()) names.add(a.toString());
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    private void checkArguments(List<String> words) {
        for (String word : words.subList(1, words.size())) {
            String value = word.startsWith("-") && word.contains("=") ? word.substring(word.indexOf('=') + 1) : word;
            if (!looksLikeEscape(value)) continue;
            try {
                paths.resolveAllowingGit(value);
            } catch (ToolError e) {
                throw new ToolError("run_command: the argument '" + word + "' points outside the workspace; "
                        + "commands may only touch files inside it");
            }
        }
    }

    private static boolean looksLikeEscape(String value) {
        return value.startsWith("/") || value.equals("..") || value.startsWith("../") || value.contains("/../")
                || value.endsWith("/..");
    }

    private ToolOutcome execute(String command, List<String> argv) {
        Map<String, String> env = new HashMap<>(System.getenv());
        ChildEnvironment.removeSecrets(env);
        env.put("GIT_PAGER", "cat");
        env.put("PAGER", "cat");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("CI", "true");

        BoundedOutput output = new BoundedOutput(settings.maxOutputChars());
        Duration timeout = settings.commandTimeout();
        boolean exited;
        int exit;
        try (Launch launch = confinement.launcher().start(confinement.spec(argv, env).withMergedStderr())) {
            Thread reader = Thread.ofVirtual().name("builtin-command-output").start(() -> output.drain(launch.stdout()));
            try {
                exited = launch.waitFor(timeout);
            } catch (InterruptedException e) {
                launch.close();
                Thread.currentThread().interrupt();
                throw new ToolError("run_command: interrupted; the command was killed");
            }
            exit = launch.exitCode();
            // Whatever the command left running (a watcher, a server, a detached child) ends with it.
            launch.close();
            try {
                reader.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            throw new ToolError("run_command: cannot start '" + argv.getFirst() + "': " + e.getMessage());
        }
        String text = Redactor.global().redact(output.text());
        if (!exited) {
            events.accept(new AgentEvent.CommandRun(Instant.now(), command, -1, Texts.start(text, EVENT_OUTPUT)));
            return ToolOutcome.error("run_command: '" + command + "' timed out after " + describe(timeout)
                    + " and was killed. Output so far:\n" + text);
        }
        events.accept(new AgentEvent.CommandRun(Instant.now(), command, exit, Texts.start(text, EVENT_OUTPUT)));
        String body = "exit code " + exit + (text.isEmpty() ? " (no output)" : "\n" + text);
        return exit == 0 ? ToolOutcome.ok(body) : ToolOutcome.error(body);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Collects a process's output, keeping the first and the last part when it is long, and reads
     * to the end either way so the child never blocks on a full pipe.
     */
    static final class BoundedOutput {
        private final int headLimit;
        private final int tailLimit;
        private final StringBuilder head = new StringBuilder();
        private final StringBuilder tail = new StringBuilder();
        private long dropped;

        BoundedOutput(int max) {
            this.tailLimit = max / 3;
            this.headLimit = max - tailLimit;
        }

        void drain(InputStream in) {
            // Masked before the head and tail are cut from it: a cut key is no longer recognisable.
            try (Reader reader = new dev.ensemble.core.io.MaskingReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                char[] buffer = new char[8192];
                for (int n; (n = reader.read(buffer)) > 0; ) append(buffer, n);
            } catch (IOException e) {
                // the process was killed or closed its output: what arrived is all there is
            }
        }

        private synchronized void append(char[] buffer, int n) {
            int off = 0;
            if (head.length() < headLimit) {
                int take = Math.min(n, headLimit - head.length());
                head.append(buffer, 0, take);
                off = take;
            }
            if (off < n) {
                tail.append(buffer, off, n - off);
                if (tail.length() > 2 * tailLimit) {
                    int cut = tail.length() - tailLimit;
                    dropped += cut;
                    tail.delete(0, cut);
                }
            }
        }

        synchronized String text() {
            if (tail.length() > tailLimit) {
                dropped += tail.length() - tailLimit;
                tail.delete(0, tail.length() - tailLimit);
            }
            String joined = dropped > 0 ? head + "\n[... " + dropped + " characters omitted ...]\n" + tail : head.toString() + tail;
            return joined.isBlank() ? "" : joined.stripTrailing();
        }
    }
}
