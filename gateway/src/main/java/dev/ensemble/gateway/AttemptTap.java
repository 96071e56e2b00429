package dev.ensemble.gateway;

import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import java.util.Objects;
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

    public AttemptTap(CallObserver downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    @Override
    public void onCall(CallRecord record) {
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
        Consumer<CallRecord> before = sink.get();
        sink.set(onAttempt);
        try {
            return work.get();
        } finally {
            if (before == null) sink.remove();
            else sink.set(before);
        }
    }
}
