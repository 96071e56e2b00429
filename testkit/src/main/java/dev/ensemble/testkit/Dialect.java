package dev.ensemble.testkit;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import tools.jackson.databind.JsonNode;

/**
 * One wire protocol as the scripted server speaks it. The server owns rules, faults and the
 * request log; a dialect only reads requests and renders answers in its protocol's exact shapes.
 */
public interface Dialect {

    /** The protocol key rules name: ollama, openai-chat, openai-responses, anthropic or gemini. */
    String protocol();

    /** Whether this dialect serves a POST to {@code path} (without the query string). */
    boolean handles(String path);

    ParsedRequest parse(String path, String query, JsonNode body);

    /** Renders a reply; streamed when the request asked for a stream. */
    Answer render(ParsedRequest request, Reply reply, TokenCount tokens);

    /** A provider-shaped error body for an HTTP error status. */
    String errorBody(int status, String message);
}
