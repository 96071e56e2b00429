package dev.ensemble.gateway;

import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The observer a gateway's {@link dev.ensemble.llm.ChatModels} is built with: every attempt goes
 * on to the ledger as before, and also to whoever is waiting for it on this thread (the gateway
 * request that made the call, which settles it with its caller's key and budgets). The model
 * stack records each attempt on the thread that called it, so a thread-local sink ties a ledger
 * row to its request without any id travelling through the stack.
 */
public final class AttemptTap implements CallObserver {
    private final CallObserver downstream;
    private final ThreadLocal<Consumer<CallRecord>> sink = new ThreadLocal<>();
    private final ThreadLocal<CallContext> attribution = new ThreadLocal<>();

    public AttemptTap(CallObserver downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    @Override
    public void onCall(CallRecord record) {
        CallContext owner = attribution.get();
        if (owner != null) record = attributed(record, owner);
        downstream.onCall(record);
        Consumer<CallRecord> waiting = sink.get();
        if (waiting != null) {
            try {
                waiting.accept(record);
            } catch (RuntimeException ignored) {
                // An observer must not throw: the attempt's outcome stands whatever settling did.
            }
        }
    }

    /** Runs {@code work}, handing every attempt it records on this thread to {@code onAttempt} as well. */
    <T> T during(Consumer<CallRecord> onAttempt, Supplier<T> work) {
        return during(onAttempt, Optional.empty(), work);
    }

    /**
     * As {@link #during(Consumer, Supplier)}; with {@code owner} (an agent attempt's context), each
     * row keeps the owner's attempt and fallback step where the stack wrote its own retry number
     * and alias step: the row is the task's try, and the model column already says which model of
     * the alias answered.
     */
    <T> T during(Consumer<CallRecord> onAttempt, Optional<CallContext> owner, Supplier<T> work) {
        Consumer<CallRecord> before = sink.get();
        CallContext beforeOwner = attribution.get();
        sink.set(onAttempt);
        owner.ifPresentOrElse(attribution::set, attribution::remove);
        try {
            return work.get();
        } finally {
            if (before == null) sink.remove();
            else sink.set(before);
            if (beforeOwner == null) attribution.remove();
            else attribution.set(beforeOwner);
        }
    }

    /** {@code record} counted as {@code owner}'s try: its attempt and fallback step. */
    static CallRecord attributed(CallRecord record, CallContext owner) {
        CallContext c = record.context().withAttempt(owner.attempt()).withFallbackStep(owner.fallbackStep());
        return new CallRecord(record.startedAt(), c, record.provider(), record.modelId(), record.streamed(), record.usage(),
                record.costUsd(), record.latency(), record.timeToFirstToken(), record.outcome(), record.errorKind(), record.error());
    }
}
