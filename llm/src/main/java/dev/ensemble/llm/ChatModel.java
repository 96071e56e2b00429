package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;

/**
 * A model you can talk to. Providers, and the layers around them (retry, circuit breaker, ledger,
 * fallback), all implement this one interface, so they stack. Calls block; run them on virtual
 * threads for concurrency.
 */
public interface ChatModel {

    /** The catalog entry this model serves (for a fallback chain: its first model). */
    ModelSpec spec();

    /**
     * Sends the request. With a listener the answer is streamed to it as it arrives; without one
     * (null) the call is a plain request/response. Either way the full answer is returned.
     *
     * @throws ModelException for every failure, retryable or not
     */
    ChatResponse chat(ChatRequest request, StreamListener listener);

    default ChatResponse chat(ChatRequest request) {
        return chat(request, null);
    }
}
