package dev.ensemble.llm;

/**
 * Receives a streamed answer as it arrives, on the calling thread. Passing a listener to
 * {@link ChatModel#chat(ChatRequest, StreamListener)} is what makes a call streamed.
 */
public interface StreamListener {
    /** A piece of the answer's text, in order. */
    void onText(String delta);

    /** A complete tool call, once all of its argument fragments have arrived. */
    default void onToolCall(ToolCall call) {}

    /**
     * An attempt failed and another (retry or next model of the chain) follows. Text already
     * delivered by the failed attempt is not part of the final answer; a terminal UI should say so.
     */
    default void onAttemptFailed(FailedAttempt failure) {}
}
