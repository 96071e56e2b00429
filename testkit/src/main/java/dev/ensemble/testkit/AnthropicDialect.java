package dev.ensemble.testkit;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import tools.jackson.databind.JsonNode;

/** Placeholder: to be implemented. */
final class AnthropicDialect implements Dialect {
    @Override public String protocol() { return "anthropic"; }

    @Override public boolean handles(String path) { return path.endsWith("/messages"); }

    @Override public ParsedRequest parse(String path, String query, JsonNode body) {
        throw new UnsupportedOperationException("anthropic dialect not implemented yet");
    }

    @Override public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        throw new UnsupportedOperationException("anthropic dialect not implemented yet");
    }

    @Override public String errorBody(int status, String message) {
        return "{\"error\":{\"message\":\"" + message + "\"}}";
    }
}
