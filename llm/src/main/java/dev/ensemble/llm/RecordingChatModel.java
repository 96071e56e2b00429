package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Tells the {@link CallObserver} (the ledger) about every attempt, success or failure, with the
 * request's {@link CallContext}, usage, cost from the catalog's pricing, latency and time to first
 * token. Sits directly around the provider so that each retry is its own row. A model that could
 * not be used at all ({@link ModelException.Kind#NO_USABLE_MODEL}) leaves no row.
 *
 * <p>A failed attempt has no reported usage: its input is estimated with {@link TokenEstimator}
 * and its output from the text a broken stream had delivered. It is costed only when output had
 * begun (providers bill a stream that broke off, not a request they refused). A successful answer
 * whose provider reported no usage at all is estimated the same way. Time to first token of a
 * failed attempt is the time to its first streamed text, or zero when none arrived.
 */
public final class RecordingChatModel implements ChatModel {
    private final ChatModel inner;
    private final CallObserver observer;
    private final String providerName;

    public RecordingChatModel(ChatModel inner, CallObserver observer, String providerName) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.providerName = Objects.requireNonNull(providerName, "providerName");
    }

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        FirstToken watch = listener == null ? null : new FirstToken(listener);
        try {
            ChatResponse response = inner.chat(request, watch);
            Usage usage = response.usage();
            if (usage.totalTokens() == 0) usage = TokenEstimator.estimate(request, response.text());
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            record(new CallRecord(startedAt, request.context(), providerName, spec().id(), listener != null, usage,
                    spec().costUsd(usage), latency, response.timeToFirstToken(), CallRecord.Outcome.OK, "", ""));
            return response;
        } catch (ModelException e) {
            // A model that could not be used (nothing listening, not pulled) was not called: no
            // tokens, no cost, nothing about the model's own reliability. Like a missing key, it
            // leaves no row, so `ensemble usage` counts calls and failures of models that answered.
            if (e.kind() == ModelException.Kind.NO_USABLE_MODEL) throw e;
            String partial = !e.partialText().isEmpty() ? e.partialText() : watch == null ? "" : watch.text.toString();
            Usage usage = TokenEstimator.estimate(request, partial);
            double cost = partial.isEmpty() ? 0 : spec().costUsd(usage);
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            Duration firstToken = watch == null || watch.firstAt < 0 ? Duration.ZERO : Duration.ofNanos(watch.firstAt - start);
            record(new CallRecord(startedAt, request.context(), providerName, spec().id(), listener != null, usage, cost,
                    latency, firstToken, CallRecord.Outcome.ERROR, e.kind().name(), Redactor.global().redact(e.getMessage())));
            throw e;
        } catch (RuntimeException e) {
            if (watch == null || !watch.listenerThrew) throw e;
            // The listener stopped the stream (a gateway's client closed its connection): the provider
            // was asked and had begun answering, so what it sent so far is a row, billed like a broken stream.
            String partial = watch.text.toString();
            Usage usage = TokenEstimator.estimate(request, partial);
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            Duration firstToken = watch.firstAt < 0 ? Duration.ZERO : Duration.ofNanos(watch.firstAt - start);
            record(new CallRecord(startedAt, request.context(), providerName, spec().id(), true, usage,
                    partial.isEmpty() && watch.firstAt < 0 ? 0 : spec().costUsd(usage), latency, firstToken, CallRecord.Outcome.ERROR,
                    CallRecord.CLIENT_GONE, "the client went away mid-stream"));
            throw e;
        }
    }

    private void record(CallRecord record) {
        try {
            observer.onCall(record);
        } catch (RuntimeException ignored) {
            // An observer must not throw; if one does, the call's outcome still stands.
        }
    }

    /** Passes everything on and notes when the first text arrived and what text came. */
    private static final class FirstToken implements StreamListener {
        private final StreamListener delegate;
        private final StringBuilder text = new StringBuilder();
        private long firstAt = -1;

        FirstToken(StreamListener delegate) {
            this.delegate = delegate;
        }

        /** The delegate threw: it, not the model, ended the call. */
        private boolean listenerThrew;

        @Override public void onText(String delta) {
            if (firstAt < 0 && !delta.isEmpty()) firstAt = System.nanoTime();
            text.append(delta);
            pass(() -> delegate.onText(delta));
        }

        @Override public void onToolCall(ToolCall call) {
            if (firstAt < 0) firstAt = System.nanoTime();
            text.append(call.argumentsJson());
            pass(() -> delegate.onToolCall(call));
        }

        @Override public void onAttemptFailed(FailedAttempt failure) {
            delegate.onAttemptFailed(failure);
        }

        private void pass(Runnable delivery) {
            try {
                delivery.run();
            } catch (RuntimeException e) {
                listenerThrew = true;
                throw e;
            }
        }
    }
}
