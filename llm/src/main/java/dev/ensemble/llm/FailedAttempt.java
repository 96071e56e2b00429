package dev.ensemble.llm;

/** One attempt that did not answer: which model, where in the chain, and why (already redacted). */
public record FailedAttempt(String modelId, int attempt, int fallbackStep, ModelException.Kind kind, String reason) {
    @Override
    public String toString() {
        return modelId + " (attempt " + attempt + "): " + kind.label() + " — " + reason;
    }
}
