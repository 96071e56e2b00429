package dev.ensemble.testkit;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a dialect read from a request, in the terms rules match on.
 *
 * @param inputText all the prompt text of the request (for a deterministic input-token count)
 * @param toolNames the names of the tools offered, in order
 */
public record ParsedRequest(String protocol, String model, boolean stream, String lastUserText, boolean toolsOffered,
                           boolean hasToolResult, List<String> toolNames, String inputText, JsonNode body) {
    public ParsedRequest {
        model = model == null ? "" : model;
        lastUserText = lastUserText == null ? "" : lastUserText;
        toolNames = List.copyOf(toolNames);
        inputText = inputText == null ? "" : inputText;
    }
}
