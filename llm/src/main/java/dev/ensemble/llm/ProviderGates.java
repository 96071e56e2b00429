package dev.ensemble.llm;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The providers' {@code max_concurrency}: one fair semaphore per limited provider, shared by every
 * model call ensemble makes there and every CLI agent run pointed at it, so a local GPU or a
 * rate-limited tier is never asked for more at once than it can serve. Work over the limit waits
 * for a permit (on a virtual thread, cheaply) instead of failing with a 429 or a queue timeout.
 */
public final class ProviderGates {
    /** No provider limited. */
    public static final ProviderGates NONE = new ProviderGates(Map.of());

    private final Map<String, Semaphore> permits;

    private ProviderGates(Map<String, Semaphore> permits) {
        this.permits = Map.copyOf(permits);
    }

    /** A gate for each provider of the catalog that sets {@code max_concurrency}. */
    public static ProviderGates of(Catalog catalog) {
        Map<String, Semaphore> permits = new LinkedHashMap<>();
        for (ProviderSpec p : catalog.providers().values()) {
            if (p.maxConcurrency() > 0) permits.put(p.name(), new Semaphore(p.maxConcurrency(), true));
        }
        return new ProviderGates(permits);
    }

    /** Whether {@code provider} has a limit at all. */
    public boolean limits(ProviderSpec provider) {
        return permits.containsKey(provider.name());
    }

    /**
     * Runs {@code work} holding one of {@code provider}'s permits (at once when it has no limit).
     *
     * @throws ModelException of kind INTERRUPTED when interrupted while waiting; nothing was sent
     */
    public <T> T withPermit(ProviderSpec provider, Supplier<T> work) {
        Semaphore gate = permits.get(provider.name());
        if (gate == null) return work.get();
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.INTERRUPTED, "interrupted while waiting for a free slot at " + provider.name()
                    + " (max_concurrency " + provider.maxConcurrency() + ")");
        }
        try {
            return work.get();
        } finally {
            gate.release();
        }
    }

    /** {@code model} with every call made holding a permit of its provider. */
    ChatModel gate(ChatModel model, ProviderSpec provider) {
        if (!limits(provider)) return model;
        return new ChatModel() {
            @Override public ModelSpec spec() {
                return model.spec();
            }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                return withPermit(provider, () -> model.chat(request, listener));
            }
        };
    }
}
