package dev.ensemble.agents.builtin;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentResult.Status;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.process.Confinement;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.llm.ChatModel;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * ensemble's own coding agent, for any {@link ChatModel} (a local Ollama model first of all): a
 * tool-calling loop with read_file, write_file, edit_file, list_dir, grep, run_command and finish,
 * confined to the workspace.
 *
 * <p>How a run ends:
 * <ul>
 * <li><b>SUCCEEDED</b> when the model calls finish (the summary is the final message); also when it
 *     answers with plain text and no tool call after having changed at least one file, since small
 *     models often announce they are done instead of calling finish: the text is the final
 *     message. A plain-text answer before any change gets one reminder to use the tools; a second
 *     one fails the run.
 * <li><b>FAILED</b> on a model error (after the stack's own retries and fallback), the turn or
 *     token cap, a loop (the same call repeated) or no progress, each with its reason.
 * <li><b>TIMED_OUT</b> when the task's timeout passes: the loop is interrupted, a running command
 *     is killed with its process tree, and no tool runs after that.
 * </ul>
 * {@code filesChanged} lists what the tools wrote or edited (only when bytes changed); the
 * workspace computes the authoritative set from git afterwards. The session id is generated per
 * run; resuming a session is not supported (a task asking for it starts afresh, with a note in the
 * events). Cost is computed from the summed usage and the task model's catalog prices.
 */
public final class BuiltinAgent implements Agent {
    public static final String NAME = "builtin";

    private final Function<AgentTask, ChatModel> models;
    private final BuiltinSettings settings;
    private final Launcher launcher;
    private final boolean audit;

    /** Unconfined commands (tests, and code that runs no attempt). */
    public BuiltinAgent(Function<AgentTask, ChatModel> models, BuiltinSettings settings) {
        this(models, settings, Launcher.unconfined());
    }

    /**
     * @param models   builds the model to talk to for a task (the routed model's full stack, with
     *                 retries, breaker, ledger and fallback); called once per run
     * @param launcher through which the agent's commands start (the run's sandbox, {@code policy.network})
     */
    public BuiltinAgent(Function<AgentTask, ChatModel> models, BuiltinSettings settings, Launcher launcher) {
        this(models, settings, launcher, true);
    }

    private BuiltinAgent(Function<AgentTask, ChatModel> models, BuiltinSettings settings, Launcher launcher, boolean audit) {
        this.audit = audit;
        this.models = Objects.requireNonNull(models, "models");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    /** The same agent with its commands started through {@code l}. */
    public BuiltinAgent withLauncher(Launcher l) {
        return new BuiltinAgent(models, settings, l, audit);
    }

    /**
     * The same agent with its tool-call auditor blocking (the default: a flagged call ends the run
     * unrun when there is no OS sandbox) or only reporting (tests of what the guard alone catches).
     */
    public BuiltinAgent withAudit(boolean blocking) {
        return new BuiltinAgent(models, settings, launcher, blocking);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Always usable: there is nothing to install, and it can drive a model of any wire protocol. */
    @Override
    public AgentInfo detect() {
        return new AgentInfo(NAME, Optional.empty(), "1", true, "", EnumSet.allOf(WireProtocol.class));
    }

    public BuiltinSettings settings() {
        return settings;
    }

    @Override
    public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
        Instant start = Instant.now();
        String sessionId = "builtin-" + UUID.randomUUID();
        AgentListener sink = listener == null ? AgentListener.NONE : listener;

        AgentLoop loop;
        try {
            loop = new AgentLoop(task, workspace.directory(), models.apply(task), settings, sink,
                    new Confinement(launcher, workspace.directory(), Optional.of(workspace.gitDir()),
                            workspace.repoRoot(), launcher.agentNetwork()),
                    new ToolCallAuditor(workspace.directory(), java.nio.file.Path.of(System.getProperty("user.home"))),
                    audit && !launcher.confines());
        } catch (RuntimeException e) {
            String reason = Redactor.global().redact("cannot start the builtin agent: " + e.getMessage());
            AgentEvent error = new AgentEvent.Error(Instant.now(), reason);
            sink.onEvent(error);
            return new AgentResult(Status.FAILED, "", List.of(), Usage.ZERO, 0, OptionalDouble.empty(), Optional.of(sessionId), 1,
                    Duration.between(start, Instant.now()), reason, List.of(error));
        }
        if (task.resumeSessionId().isPresent()) {
            loop.emit(new AgentEvent.Error(Instant.now(), "the builtin agent cannot resume session "
                    + task.resumeSessionId().get() + "; starting a new one"));
        }

        AgentLoop.Ending ending = runWithin(loop, task.timeout());
        Usage usage = loop.usage();
        return new AgentResult(ending.status(), ending.finalMessage(), loop.filesChanged(), usage,
                task.model().costUsd(usage), OptionalDouble.empty(), Optional.of(sessionId), ending.status() == Status.SUCCEEDED ? 0 : 1,
                Duration.between(start, Instant.now()), ending.failureReason(), loop.events());
    }

    /** Runs the loop on its own virtual thread so that the task's timeout can stop it wherever it is. */
    private static AgentLoop.Ending runWithin(AgentLoop loop, Duration timeout) {
        FutureTask<AgentLoop.Ending> work = new FutureTask<>(loop::run);
        Thread thread = Thread.ofVirtual().name("builtin-agent").start(work);
        try {
            if (timeout.isZero() || timeout.isNegative()) return work.get();
            return work.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            loop.cancel();
            thread.interrupt();
            awaitEnd(thread);
            String reason = "timed out after " + describe(timeout);
            loop.emit(new AgentEvent.Error(Instant.now(), reason));
            return new AgentLoop.Ending(Status.TIMED_OUT, "", reason);
        } catch (InterruptedException e) {
            loop.cancel();
            thread.interrupt();
            Thread.currentThread().interrupt();
            awaitEnd(thread);
            return new AgentLoop.Ending(Status.FAILED, "", "interrupted");
        } catch (ExecutionException e) {
            String reason = Redactor.global().redact("the builtin agent failed: " + e.getCause());
            loop.emit(new AgentEvent.Error(Instant.now(), reason));
            return new AgentLoop.Ending(Status.FAILED, "", reason);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Waits a little for the loop to notice, so that no tool writes after the result is returned. */
    private static void awaitEnd(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
