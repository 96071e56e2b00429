package dev.ensemble.agents.builtin;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A tool call's arguments, read leniently where models are sloppy (a number sent as "12") and
 * strictly where a guess would be harmful (a missing path or content is an error, never "").
 */
record Args(String tool, JsonNode node) {

    String required(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) throw new ToolError(tool + " needs the argument '" + name + "'");
        if (!value.isString()) throw new ToolError(tool + ": '" + name + "' must be a string");
        return value.asString();
    }

    Optional<String> optional(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isString()) throw new ToolError(tool + ": '" + name + "' must be a string");
        return Optional.of(value.asString());
    }

    Optional<Integer> optionalInt(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) return Optional.empty();
        if (value.isIntegralNumber()) return Optional.of(value.asInt());
        if (value.isString()) {
            try {
                return Optional.of(Integer.parseInt(value.asString().strip()));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new ToolError(tool + ": '" + name + "' must be a whole number");
    }
}
