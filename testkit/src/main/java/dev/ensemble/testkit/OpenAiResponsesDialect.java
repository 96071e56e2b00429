package dev.ensemble.testkit;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import tools.jackson.databind.JsonNode;

/** Placeholder: to be implemented. */
final class OpenAiResponsesDialect implements Dialect {
    @Override public String protocol() { return "openai-responses"; }

    @Override public boolean handles(String path) { return path.endsWith("/responses"); }

    @Override public ParsedRequest parse(String path, String query, JsonNode body) {
        throw new UnsupportedOperationException("openai-responses dialect not implemented yet");
    }

    @Override public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        throw new UnsupportedOperationException("openai-responses dialect not implemented yet");
    }

    @Override public String errorBody(int status, String message) {
        return "{\"error\":{\"message\":\"" + message + "\"}}";
    }
}
