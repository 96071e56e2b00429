package dev.ensemble.gateway.attempt;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One agent attempt's key to the gateway, issued by {@link AttemptKeys#issue}: the secret the agent
 * presents (only ever put into its private environment or config), the run, task and attempt every
 * call is attributed to, what its calls cost as the gateway metered them, the conversation so far,
 * and why it was stopped, if it was. Closing it revokes the key: the agent's later requests are
 * refused with 401, and nothing of it stays in the gateway.
 */
public final class Attempt implements IssuedAttempt {
    private final String keyId;
    private final String secret;
    private final CallContext context;
    private final Consumer<Refusal> onRefusal;
    private final Consumer<CallRecord> onCall;
    private final java.util.Optional<CarriedBudget> carried;
    private final RunawayGuard guard;
    private final Optional<ToolCallAuditor> auditor;
    private final boolean block;
    private final List<ToolCallAuditor.Flag> flagged = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Runnable revoke;
    private final AtomicReference<Refusal> refusal = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object meter = new Object();
    private Usage usage = Usage.ZERO;
    private double costUsd;
    private int calls;
    private List<ChatMessage> conversation = List.of();

    Attempt(String keyId, String secret, CallContext context, RunawayLimits limits, Consumer<Refusal> onRefusal,
            Consumer<CallRecord> onCall, java.util.Optional<CarriedBudget> carried, Runnable revoke,
            Optional<ToolCallAuditor> auditor, boolean block) {
        this.onCall = onCall == null ? r -> { } : onCall;
        this.carried = carried;
        this.auditor = auditor;
        this.block = block;
        this.keyId = keyId;
        this.secret = secret;
        this.context = Objects.requireNonNull(context, "context");
        this.onRefusal = onRefusal == null ? r -> { } : onRefusal;
        this.guard = new RunawayGuard(limits);
        this.revoke = revoke;
    }

    /** The key's public id ("att-…"): what logs and the caller show; never the secret. */
    @Override
    public String keyId() {
        return keyId;
    }

    /** What the agent presents as its API key. */
    @Override
    public String secret() {
        return secret;
    }

    public CallContext context() {
        return context;
    }

    /** The first refusal that stopped this attempt; every later request is refused the same way. */
    @Override
    public Optional<Refusal> refusal() {
        return Optional.ofNullable(refusal.get());
    }

    /** Tokens of every upstream call this attempt made, as the providers reported them. */
    @Override
    public Usage usage() {
        synchronized (meter) {
            return usage;
        }
    }

    /** What those calls cost at the catalog's prices: the sum of this attempt's ledger rows. */
    @Override
    public double costUsd() {
        synchronized (meter) {
            return costUsd;
        }
    }

    /** Upstream calls made (one per ledger row: a retry or a fallback step counts). */
    @Override
    public int calls() {
        synchronized (meter) {
            return calls;
        }
    }

    /** The conversation as the agent last sent it (its longest request), redacted: for a handover. */
    public List<ChatMessage> conversation() {
        synchronized (meter) {
            return conversation.stream().map(Attempt::redacted).toList();
        }
    }

    @Override
    public String conversationSummary() {
        return ConversationSummary.of(conversation());
    }

    /** The budgets a remote owner brought (empty: the gateway's own process's budgets apply). */
    java.util.Optional<CarriedBudget> carried() {
        return carried;
    }

    public boolean closed() {
        return closed.get();
    }

    RunawayGuard guard() {
        return guard;
    }

    /** The tool calls the auditor flagged in this attempt's answers (blocked, or with the sandbox on only reported). */
    public List<ToolCallAuditor.Flag> flagged() {
        return List.copyOf(flagged);
    }

    /** Whether this attempt's answers are audited at all. */
    boolean audited() {
        return auditor.isPresent();
    }

    /**
     * Audits the tool calls of an answer before the agent gets it: a flagged call is recorded and,
     * when this attempt blocks (no OS sandbox), refuses the attempt (its owner stops the agent)
     * and says why the answer is replaced by an error.
     */
    Optional<String> audit(List<dev.ensemble.llm.ToolCall> calls) {
        if (auditor.isEmpty()) return Optional.empty();
        Optional<ToolCallAuditor.Flag> flag = auditor.get().audit(calls);
        if (flag.isEmpty()) return Optional.empty();
        flagged.add(flag.get());
        if (!block) return Optional.empty();
        Refusal why = refuse(new Refusal(ToolCallAuditor.BLOCKED, Redactor.global().redact(ToolCallAuditor.BLOCKED + ": "
                + flag.get().describe() + " — not passed on to the agent, which was stopped (no OS sandbox: ensemble's tool-call "
                + "auditor stands in for it)")));
        return Optional.of(why.message());
    }

    /** Records the first refusal and tells the owner once, so it stops the agent. */
    Refusal refuse(Refusal why) {
        if (refusal.compareAndSet(null, why)) {
            try {
                onRefusal.accept(why);
            } catch (RuntimeException ignored) {
                // The owner's failure to stop the agent must not break the gateway's answer.
            }
            return why;
        }
        return refusal.get();
    }

    void saw(List<ChatMessage> messages) {
        synchronized (meter) {
            if (messages.size() >= conversation.size()) conversation = messages;
        }
    }

    void settled(CallRecord record) {
        synchronized (meter) {
            usage = usage.plus(record.usage());
            costUsd += record.costUsd();
            calls++;
        }
        try {
            onCall.accept(record);
        } catch (RuntimeException ignored) {
            // A listener's failure must not break the gateway's answer.
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) revoke.run();
    }

    private static ChatMessage redacted(ChatMessage m) {
        Redactor r = Redactor.global();
        return switch (m) {
            case ChatMessage.System s -> new ChatMessage.System(r.redact(s.text()));
            case ChatMessage.User u -> new ChatMessage.User(r.redact(u.text()));
            case ChatMessage.Assistant a -> new ChatMessage.Assistant(r.redact(a.text()), a.toolCalls().stream()
                    .map(c -> new dev.ensemble.llm.ToolCall(c.id(), c.name(), r.redact(c.argumentsJson()))).toList());
            case ChatMessage.ToolResult t -> new ChatMessage.ToolResult(t.callId(), t.toolName(), r.redact(t.content()), t.isError());
        };
    }

    @Override
    public String toString() {
        return "Attempt[" + keyId + ", " + context.runId() + "/" + context.taskId() + "#" + context.attempt() + "]";
    }
}
