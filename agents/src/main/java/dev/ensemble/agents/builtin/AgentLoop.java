package dev.ensemble.agents.builtin;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult.Status;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ToolCall;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One run of the builtin agent: the conversation with the model and the state the result is made
 * of. Runs on one thread; {@link #cancel()} and the getters may be called from another (the
 * timeout), so what they read is safe to read there.
 */
final class AgentLoop {
    /** The start of a tool's output an event carries: enough to follow the exchange, not whole files. */
    private static final int TOOL_RESULT_SHOWN = 4_000;

    /** How the loop ended. Events and reasons are redacted: a key the model echoes must not reach a transcript. */
    record Ending(Status status, String finalMessage, String failureReason) {}

    private final AgentTask task;
    private final ChatModel model;
    private final BuiltinSettings settings;
    private final AgentListener listener;
    private final Toolbox tools;
    private final LoopGuard guard;
    private final ToolCallAuditor auditor;
    private final boolean block;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    private final Set<String> filesChanged = new LinkedHashSet<>();
    private volatile Usage usage = Usage.ZERO;
    private volatile boolean cancelled;
    private int turns;

    AgentLoop(AgentTask task, Path workspace, ChatModel model, BuiltinSettings settings, AgentListener listener) {
        this(task, workspace, model, settings, listener, dev.ensemble.agents.process.Confinement.unconfined(workspace));
    }

    AgentLoop(AgentTask task, Path workspace, ChatModel model, BuiltinSettings settings, AgentListener listener,
              dev.ensemble.agents.process.Confinement confinement) {
        this(task, workspace, model, settings, listener, confinement, new ToolCallAuditor(workspace,
                Path.of(System.getProperty("user.home"))), !confinement.launcher().confines());
    }

    /**
     * @param auditor looks at every tool call before it runs
     * @param block   whether a flagged call ends the run unrun (no OS sandbox), or is only reported
     */
    AgentLoop(AgentTask task, Path workspace, ChatModel model, BuiltinSettings settings, AgentListener listener,
              dev.ensemble.agents.process.Confinement confinement, ToolCallAuditor auditor, boolean block) {
        this.auditor = auditor;
        this.block = block;
        this.task = task;
        this.model = model;
        this.settings = settings;
        this.listener = listener;
        this.tools = new Toolbox(new WorkspacePaths(workspace), new OwnedPaths(task.ownedPaths()), settings, this::emit, confinement);
        this.guard = new LoopGuard(settings.repeatLimit(), settings.noProgressTurns());
    }

    Ending run() {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(SystemPrompt.build(task.ownedPaths(), settings)));
        messages.add(ChatMessage.user(task.prompt()));
        CallContext context = CallContext.of("agent").withRun(task.runId(), task.taskId()).withRole("builtin");
        ChatRequest base = ChatRequest.of(messages).withTools(Toolbox.specs()).withContext(context);
        boolean nudged = false;

        while (true) {
            if (cancelled) return fail("cancelled");
            if (turns >= settings.maxTurns()) {
                return fail("turn cap: " + turns + " turns without the model calling finish");
            }
            if (usage.totalTokens() >= settings.maxTotalTokens()) {
                return fail("token cap: " + usage.totalTokens() + " tokens used, the cap is " + settings.maxTotalTokens());
            }

            ChatResponse response;
            try {
                response = model.chat(base.withMessages(messages));
            } catch (ModelException e) {
                if (cancelled) return fail("cancelled");
                return fail("model failed: " + e.kind().label() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                if (cancelled) return fail("cancelled");
                return fail("model failed: " + e);
            }
            turns++;
            usage = usage.plus(response.usage());
            if (!response.text().isBlank()) emit(new AgentEvent.Message(Instant.now(), redact(response.text())));
            messages.add(response.asMessage());

            if (!response.hasToolCalls()) {
                // Small models often say "done" instead of calling finish; once files changed, take the word for it.
                if (!filesChanged.isEmpty()) return new Ending(Status.SUCCEEDED, redact(response.text()), "");
                if (nudged) {
                    return fail("the model stopped without calling finish and without changing any file: "
                            + Texts.start(response.text().strip(), 300));
                }
                nudged = true;
                messages.add(ChatMessage.user(SystemPrompt.NUDGE));
                Optional<String> stuck = guard.endTurn(false);
                if (stuck.isPresent()) return fail(stuck.get());
                continue;
            }

            boolean progress = false;
            Optional<String> summary = Optional.empty();
            for (ToolCall call : response.toolCalls()) {
                if (cancelled) return fail("cancelled");
                emit(new AgentEvent.ToolUse(Instant.now(), call.name(), redact(call.argumentsJson())));
                Optional<String> loop = guard.onCall(call.name(), call.argumentsJson());
                if (loop.isPresent()) return fail(loop.get());

                // The file tools are confined to the workspace in-process (an escape is an error the model can act on);
                // a command is not, so it is audited before it runs.
                Optional<ToolCallAuditor.Flag> flagged = call.name().equals(Toolbox.RUN_COMMAND)
                        ? auditor.audit(call.name(), call.argumentsJson()) : Optional.empty();
                if (flagged.isPresent() && block) {
                    return fail(ToolCallAuditor.BLOCKED + ": " + flagged.get().describe() + " — not run, and the agent was stopped "
                            + "(no OS sandbox: ensemble's tool-call auditor stands in for it)");
                }
                flagged.ifPresent(f -> emit(new AgentEvent.Error(Instant.now(), "tool-call auditor, reported only (the sandbox confines "
                        + "the command): " + redact(f.describe()))));
                ToolOutcome outcome = tools.execute(call);
                if (outcome.changedPath().isPresent()) {
                    synchronized (filesChanged) {
                        filesChanged.add(outcome.changedPath().get());
                    }
                    guard.onWorkspaceChanged();
                    progress = true;
                }
                if (guard.isNew(outcome.content())) progress = true;
                if (outcome.finishSummary().isPresent()) summary = outcome.finishSummary();
                String content = outcome.isError() ? "error: " + outcome.content() : outcome.content();
                if (outcome.isError()) {
                    emit(new AgentEvent.Error(Instant.now(), call.name() + ": " + Texts.start(redact(outcome.content()), 500)));
                }
                // What the model is told back, so a transcript holds both sides of every exchange.
                emit(new AgentEvent.ToolResult(Instant.now(), call.name(), Texts.start(redact(outcome.content()), TOOL_RESULT_SHOWN),
                        outcome.isError()));
                messages.add(new ChatMessage.ToolResult(call.id(), call.name(), content, outcome.isError()));
            }
            if (summary.isPresent()) return new Ending(Status.SUCCEEDED, redact(summary.get()), "");
            Optional<String> stuck = guard.endTurn(progress);
            if (stuck.isPresent()) return fail(stuck.get());
        }
    }

    /** Asks the loop to stop before its next tool call or model call. */
    void cancel() {
        cancelled = true;
    }

    Usage usage() {
        return usage;
    }

    List<AgentEvent> events() {
        return List.copyOf(events);
    }

    List<String> filesChanged() {
        synchronized (filesChanged) {
            return List.copyOf(filesChanged);
        }
    }

    void emit(AgentEvent event) {
        events.add(event);
        try {
            listener.onEvent(event);
        } catch (RuntimeException ignored) {
            // a listener must not throw; if one does, the run goes on
        }
    }

    private static String redact(String text) {
        return Redactor.global().redact(text);
    }

    private Ending fail(String reason) {
        String redacted = redact(reason);
        emit(new AgentEvent.Error(Instant.now(), redacted));
        return new Ending(Status.FAILED, "", redacted);
    }
}
