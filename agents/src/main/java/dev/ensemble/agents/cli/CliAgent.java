package dev.ensemble.agents.cli;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.process.LaunchSpec;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What every CLI adapter shares: finding the executable, detection, the private home and
 * environment, running the process, turning its output into events (redacted) and deciding how
 * the run ended. An adapter only builds its {@link Invocation} and parses its output format.
 *
 * <p>A run is SUCCEEDED only when the CLI exited 0, its output reached its final event, and
 * neither the output nor the exit reported an error: a crash, a hang, garbage or an error
 * printed as success all end as FAILED or TIMED_OUT with a reason.
 */
public abstract class CliAgent implements Agent {
    protected final CliSettings settings;
    private final String name;
    private final String executable;
    private final Set<WireProtocol> drives;

    /** Whether this agent's processes start inside an OS sandbox (else the gateway's tool-call auditor blocks what it flags). */
    public boolean sandboxed() {
        return settings.launcher().confines();
    }

    protected CliAgent(String name, String executable, Set<WireProtocol> drives, CliSettings settings) {
        this.name = name;
        this.executable = executable;
        this.drives = Set.copyOf(drives);
        this.settings = settings;
    }

    @Override
    public final String name() {
        return name;
    }

    public final Set<WireProtocol> drives() {
        return drives;
    }

    public final Optional<Path> binary() {
        return BinaryLocator.find(name, executable, settings);
    }

    /** Whether this CLI can resume a session by id (its private home is then kept for that). */
    public abstract boolean supportsResume();

    /** Builds the command line, environment and config files of one run inside {@code home}. */
    protected abstract Invocation prepare(AgentTask task, Workspace workspace, PrivateHome home, Path binary) throws IOException;

    /** Whether the CLI gets the user's proxy settings (false for CLIs that ignore NO_PROXY). */
    protected boolean passesProxy() {
        return true;
    }

    /**
     * Reads what the CLI left in its home (a last-message file, a session log) after it stopped,
     * completing the summary; returns events the output stream did not carry.
     */
    protected List<AgentEvent> afterRun(PrivateHome home, RunSummary summary) {
        return List.of();
    }

    /** How a user gets this CLI. */
    protected String installHint() {
        return "install it with .ci/install-agent-clis.sh " + name;
    }

    /** The arguments that print the version. */
    protected List<String> versionArgs() {
        return List.of("--version");
    }

    /**
     * Finds the binary and its version ({@link VersionCheck}): remembered for a binary that has not
     * changed since it was asked (no process starts), else its answer to {@link #versionArgs()} within
     * {@link CliSettings#versionTimeout()}. One that does not answer in time is
     * {@link AgentInfo.Status#SLOW}, not missing: installed, usable, with a warning.
     */
    @Override
    public AgentInfo detect() {
        try {
            Optional<Path> found = binary();
            if (found.isEmpty()) {
                return AgentInfo.missing(name, executable + " not found on PATH" + (settings.searchDirs().isEmpty() ? "" : ", in "
                        + settings.searchDirs()) + " or in " + settings.cacheDir() + " (" + installHint() + ")",
                        drives);
            }
            return new VersionCheck(name, versionArgs(), drives, settings).detect(found.get());
        } catch (IOException | RuntimeException e) {
            return AgentInfo.missing(name, "detection failed: " + e.getMessage(), drives);
        }
    }

    static String version(String output) {
        return VersionCheck.version(output);
    }

    @Override
    public final AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
        Events events = new Events(listener);
        Instant start = Instant.now();
        Optional<Path> binary = binary();
        if (binary.isEmpty()) {
            return failed(events, start, name + " is not installed: " + detect().reason());
        }
        WireProtocol wire = task.provider().wire();
        if (!drives.contains(wire)) {
            return failed(events, start, name + " cannot drive a " + wire.key() + " provider (" + task.provider().name()
                    + "); it speaks " + drives.stream().map(WireProtocol::key).sorted().toList());
        }
        task.apiKey().ifPresent(Redactor.global()::register);

        PrivateHome home;
        try {
            home = PrivateHome.open(settings, name, supportsResume() ? task.resumeSessionId() : Optional.empty());
        } catch (UncheckedIOException e) {
            return failed(events, start, e.getMessage());
        }
        try (home) {
            if (task.resumeSessionId().isPresent() && !home.resumes()) {
                // Asking the CLI to resume a session it has no record of fails the run: start afresh instead.
                events.emit(new AgentEvent.Message(Instant.now(), "no kept " + name + " session " + task.resumeSessionId().get()
                        + (supportsResume() ? "" : " (" + name + " cannot resume sessions)") + "; starting a new one"));
                task = task.withoutResume();
            }
            AgentTask toRun = task;
            Invocation invocation;
            try {
                home.folder("tmp");
                invocation = prepare(toRun, workspace, home, binary.get());
            } catch (IOException | RuntimeException e) {
                return failed(events, start, "cannot prepare " + name + ": " + e.getMessage());
            }
            Map<String, String> env = new LinkedHashMap<>(ProcessEnv.base(home.dir(), binary.get(), passesProxy()));
            env.putAll(invocation.environment());
            OutputParser parser = invocation.parser();
            String[] announced = {toRun.resumeSessionId().orElse(null)};
            AgentProcess.Outcome outcome = new AgentProcess(settings).run(
                    confined(invocation.command(), workspace, home.dir(), binary.get(), env, toRun), toRun.timeout(),
                    line -> {
                        synchronized (parser) {
                            parser.accept(line, Instant.now()).forEach(events::emit);
                            Optional<String> session = parser.summary().sessionId();
                            if (supportsResume() && session.isPresent() && !session.get().equals(announced[0])) {
                                announced[0] = session.get();
                                home.keepNow(session.get());
                                events.emit(new AgentEvent.Session(Instant.now(), session.get()));
                            }
                        }
                    });
            RunSummary summary;
            synchronized (parser) {
                parser.finish(Instant.now()).forEach(events::emit);
                summary = parser.summary();
                afterRun(home, summary).forEach(events::emit);
            }
            if (supportsResume()) summary.sessionId().ifPresent(home::keepFor);
            return result(toRun, workspace, outcome, summary, events);
        }
    }

    /**
     * The CLI's launch: its worktree and private home writable, the checkout and the home folder
     * hidden, its installation readable, and the network rule of {@code policy.network} with the
     * gateway's port (or, without the gateway, its model's endpoint) forwarded in ({@link AgentNetwork}).
     */
    private LaunchSpec confined(List<String> command, Workspace workspace, Path home, Path binary, Map<String, String> env,
                                AgentTask task) {
        AgentNetwork reach = AgentNetwork.of(settings.launcher().agentNetwork(), task.provider());
        List<Path> readable = new ArrayList<>(List.of(settings.cacheDir()));
        Path dir = binary.toAbsolutePath().getParent();
        if (dir != null) readable.add(dir);
        if (dir != null && dir.getParent() != null) readable.add(dir.getParent());
        try {
            Path real = binary.toRealPath().getParent();
            // Its own folder and the installation above it; either may be refused by the sandbox
            // for containing a hidden folder (a CLI installed inside the checkout), never both.
            if (real != null) readable.add(real);
            if (real != null && real.getParent() != null) readable.add(real.getParent());
        } catch (IOException e) {
            // the binary is where it was found
        }
        return LaunchSpec.inWorktree(command, workspace.directory(), Optional.of(workspace.gitDir()), workspace.repoRoot(), env)
                .withWritable(home).withReadable(readable).withGateway(reach.gateway()).withNetwork(reach.network());
    }

    private AgentResult result(AgentTask task, Workspace workspace, AgentProcess.Outcome outcome, RunSummary summary, Events events) {
        AgentResult.Status status = AgentResult.Status.FAILED;
        String reason;
        if (!outcome.started()) {
            reason = outcome.startFailure().get();
        } else if (outcome.timedOut()) {
            status = AgentResult.Status.TIMED_OUT;
            reason = name + " did not finish within " + describe(task.timeout()) + "; its process tree was killed"
                    + lastError(events).map(e -> "; last error: " + e).orElse("") + lastLines("; stderr: ", outcome.stderr());
        } else if (summary.error().isPresent()) {
            reason = name + " reported an error" + (outcome.exitCode() == 0 ? " (and exited 0)" : " (exit code " + outcome.exitCode() + ")")
                    + ": " + summary.error().get();
        } else if (outcome.exitCode() != 0) {
            reason = name + " exited with code " + outcome.exitCode() + lastError(events).map(e -> ": " + e).orElse("")
                    + lastLines(": ", outcome.stderr());
        } else if (!summary.finished()) {
            reason = summary.parsedLines() == 0 && summary.unparsedLines() > 0
                    ? name + " exited 0 but printed no output in its format (first line: " + summary.firstUnparsed().get() + ")"
                    : name + " exited 0 without its final result" + lastLines("; stderr: ", outcome.stderr());
        } else {
            status = AgentResult.Status.SUCCEEDED;
            reason = "";
        }
        Usage usage = summary.usage();
        // The catalog's price for the model the CLI was given, never the CLI's own price table: that
        // one prices a self-hosted or gateway model as whatever it thinks the name costs.
        double cost = task.model().costUsd(usage);
        Redactor redactor = Redactor.global();
        return new AgentResult(status, redactor.redact(summary.finalMessage()), GitChanges.list(workspace.directory()), usage, cost,
                summary.costUsd(), summary.sessionId(), outcome.exitCode(), outcome.duration(), redactor.redact(reason), events.all());
    }

    private AgentResult failed(Events events, Instant start, String reason) {
        String safe = Redactor.global().redact(reason);
        events.emit(new AgentEvent.Error(Instant.now(), safe));
        return new AgentResult(AgentResult.Status.FAILED, "", List.of(), Usage.ZERO, 0, OptionalDouble.empty(), Optional.empty(), -1,
                Duration.between(start, Instant.now()), safe, events.all());
    }

    private static Optional<String> lastError(Events events) {
        List<AgentEvent> all = events.all();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i) instanceof AgentEvent.Error error) return Optional.of(clip(error.message()));
        }
        return Optional.empty();
    }

    private static String clip(String text) {
        text = Redactor.global().redact(text);
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** The last few non-blank lines of a text, for a failure reason. */
    static String lastLines(String prefix, String text) {
        if (text == null || text.isBlank()) return "";
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String tail = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        return prefix + (tail.length() > 600 ? "…" + tail.substring(tail.length() - 600) : tail);
    }

    /** Events of one run: redacted, kept, and passed to the listener, which must not break the run. */
    private static final class Events {
        private final AgentListener listener;
        private final List<AgentEvent> kept = Collections.synchronizedList(new ArrayList<>());

        Events(AgentListener listener) {
            this.listener = listener == null ? AgentListener.NONE : listener;
        }

        void emit(AgentEvent event) {
            AgentEvent safe = redact(event);
            kept.add(safe);
            try {
                listener.onEvent(safe);
            } catch (RuntimeException ignored) {
                // A listener's failure is its own; the run goes on.
            }
        }

        List<AgentEvent> all() {
            synchronized (kept) {
                return List.copyOf(kept);
            }
        }

        static AgentEvent redact(AgentEvent event) {
            Redactor r = Redactor.global();
            return switch (event) {
                case AgentEvent.Message m -> new AgentEvent.Message(m.at(), r.redact(m.text()));
                case AgentEvent.ToolUse t -> new AgentEvent.ToolUse(t.at(), t.tool(), r.redact(t.input()));
                case AgentEvent.CommandRun c -> new AgentEvent.CommandRun(c.at(), r.redact(c.command()), c.exitCode(), r.redact(c.output()));
                case AgentEvent.Error e -> new AgentEvent.Error(e.at(), r.redact(e.message()));
                case AgentEvent.Raw raw -> new AgentEvent.Raw(raw.at(), r.redact(raw.line()));
                case AgentEvent.Session s -> s;
                case AgentEvent.ModelCall call -> call;
                case AgentEvent.ToolResult t -> new AgentEvent.ToolResult(t.at(), t.tool(), r.redact(t.output()), t.error());
            };
        }
    }
}
