package dev.ensemble.llm;

/** Why the model stopped, mapped from each provider's own vocabulary. */
public enum FinishReason {
    STOP, LENGTH, TOOL_CALLS, CONTENT_FILTER, OTHER
}
