package dev.ensemble.llm;

import dev.ensemble.core.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The model's answer. {@code modelId} is the catalog id of the model that actually answered (after
 * fallback, not necessarily the one asked for); {@code failures} lists the attempts that did not.
 * For a plain (non-streamed) call, time to first token equals the latency.
 */
public record ChatResponse(String text, List<ToolCall> toolCalls, FinishReason finishReason, Usage usage,
                           String modelId, Duration latency, Duration timeToFirstToken, List<FailedAttempt> failures) {
    public ChatResponse {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(modelId, "modelId");
        latency = latency == null ? Duration.ZERO : latency;
        timeToFirstToken = timeToFirstToken == null ? latency : timeToFirstToken;
        failures = List.copyOf(failures);
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    public ChatResponse withTiming(String newModelId, Duration newLatency, Duration newTimeToFirstToken) {
        return new ChatResponse(text, toolCalls, finishReason, usage, newModelId, newLatency, newTimeToFirstToken, failures);
    }

    public ChatResponse withFailures(List<FailedAttempt> newFailures) {
        return new ChatResponse(text, toolCalls, finishReason, usage, modelId, latency, timeToFirstToken, newFailures);
    }

    /** The assistant message to append to a conversation before sending tool results back. */
    public ChatMessage.Assistant asMessage() {
        return new ChatMessage.Assistant(text, toolCalls);
    }
}
