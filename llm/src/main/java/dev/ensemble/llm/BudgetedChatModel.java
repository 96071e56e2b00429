package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import java.util.Objects;

/**
 * Asks the {@link BudgetGuard} before every call to one model; a refused call never reaches the
 * layers below, so nothing is sent and no ledger row is written. Sits outside the retry layer: the
 * budget is checked once per call of a model, not per retry (a retried attempt that failed before
 * any output cost nothing), and inside a fallback chain, so each model of an alias is checked at
 * its own prices and a refusal stops the chain ({@link FallbackChatModel}).
 */
public final class BudgetedChatModel implements ChatModel {
    private final ChatModel inner;
    private final BudgetGuard guard;

    public BudgetedChatModel(ChatModel inner, BudgetGuard guard) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        guard.check(spec(), request);
        return inner.chat(request, listener);
    }
}
