package dev.ensemble.llm;

import java.util.Objects;

/**
 * A call the model asked for. {@code argumentsJson} is kept as the model sent it (a JSON object
 * as text) because models do send invalid JSON and the caller should see exactly what came back.
 * Providers that have no call ids (Gemini, Ollama) get a generated one so results can be matched.
 */
public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        argumentsJson = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
    }
}
