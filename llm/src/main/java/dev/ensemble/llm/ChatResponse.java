package dev.ensemble.llm;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The model's answer. {@code modelId} is the catalog id of the model that actually answered (after
 * fallback, not necessarily the one asked for); {@code failures} lists the attempts that did not;
 * {@code skipped} the models of the chain that could not be used at all and were passed over
 * without an attempt (no key, server not answering, not pulled).
 * For a plain (non-streamed) call, time to first token equals the latency.
 */
public record ChatResponse(String text, List<ToolCall> toolCalls, FinishReason finishReason, Usage usage,
                           String modelId, Duration latency, Duration timeToFirstToken, List<FailedAttempt> failures,
                           List<UnusableModel> skipped) {
    public ChatResponse {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(modelId, "modelId");
        latency = latency == null ? Duration.ZERO : latency;
        timeToFirstToken = timeToFirstToken == null ? latency : timeToFirstToken;
        failures = List.copyOf(failures);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    /** An answer with nothing skipped, which is what a provider returns. */
    public ChatResponse(String text, List<ToolCall> toolCalls, FinishReason finishReason, Usage usage,
                        String modelId, Duration latency, Duration timeToFirstToken, List<FailedAttempt> failures) {
        this(text, toolCalls, finishReason, usage, modelId, latency, timeToFirstToken, failures, List.of());
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    public ChatResponse withTiming(String newModelId, Duration newLatency, Duration newTimeToFirstToken) {
        return new ChatResponse(text, toolCalls, finishReason, usage, newModelId, newLatency, newTimeToFirstToken, failures, skipped);
    }

    public ChatResponse withFailures(List<FailedAttempt> newFailures) {
        return new ChatResponse(text, toolCalls, finishReason, usage, modelId, latency, timeToFirstToken, newFailures, skipped);
    }

    public ChatResponse withSkipped(List<UnusableModel> newSkipped) {
        return new ChatResponse(text, toolCalls, finishReason, usage, modelId, latency, timeToFirstToken, failures, newSkipped);
    }

    /** The assistant message to append to a conversation before sending tool results back. */
    public ChatMessage.Assistant asMessage() {
        return new ChatMessage.Assistant(text, toolCalls);
    }
}
