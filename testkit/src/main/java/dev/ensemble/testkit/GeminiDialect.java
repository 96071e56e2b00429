package dev.ensemble.testkit;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import tools.jackson.databind.JsonNode;

/** Placeholder: to be implemented. */
final class GeminiDialect implements Dialect {
    @Override public String protocol() { return "gemini"; }

    @Override public boolean handles(String path) { return path.contains(":generateContent") || path.contains(":streamGenerateContent"); }

    @Override public ParsedRequest parse(String path, String query, JsonNode body) {
        throw new UnsupportedOperationException("gemini dialect not implemented yet");
    }

    @Override public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        throw new UnsupportedOperationException("gemini dialect not implemented yet");
    }

    @Override public String errorBody(int status, String message) {
        return "{\"error\":{\"message\":\"" + message + "\"}}";
    }
}
