package dev.ensemble.llm;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** A tool the model may call: name, what it does, and a JSON Schema object for its arguments. */
public record ToolSpec(String name, String description, JsonNode parameters) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
    }
}
