package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import java.util.Objects;

/** Puts a model behind its {@link CircuitBreaker}: an open circuit fails at once without a call. */
public final class CircuitBreakingChatModel implements ChatModel {
    private final ChatModel inner;
    private final CircuitBreaker breaker;

    public CircuitBreakingChatModel(ChatModel inner, CircuitBreaker breaker) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
    }

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        breaker.acquire();
        boolean reported = false;
        try {
            ChatResponse response = inner.chat(request, listener);
            breaker.onSuccess();
            reported = true;
            return response;
        } catch (ModelException e) {
            breaker.onFailure(e);
            reported = true;
            throw e;
        } finally {
            // Anything else (a listener that threw, an Error) says nothing about the model.
            if (!reported) breaker.onNeutral();
        }
    }
}
