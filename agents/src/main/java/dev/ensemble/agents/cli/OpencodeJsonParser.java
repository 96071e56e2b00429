package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code opencode run --format json}: one {@code {type, sessionID, part}} per line — text, tool_use
 * (with the tool's state), step_finish (tokens and cost of one model call) and error. The run is
 * complete when a step finishes for a reason other than calling tools.
 */
final class OpencodeJsonParser extends JsonLineParser {

    @Override
    protected void onJson(JsonNode event, Instant at, List<AgentEvent> out) {
        summary.sessionId(event.path("sessionID").asString(null));
        JsonNode part = event.path("part");
        switch (event.path("type").asString("")) {
            case "text" -> {
                String text = part.path("text").asString("");
                if (!text.isBlank()) {
                    summary.finalMessage(text);
                    out.add(new AgentEvent.Message(at, text));
                }
            }
            case "tool_use" -> tool(part, at, out);
            case "step_finish" -> {
                JsonNode tokens = part.path("tokens");
                long cacheRead = count(tokens.path("cache").path("read"));
                long input = count(tokens.path("input")) + cacheRead + count(tokens.path("cache").path("write"));
                summary.addUsage(new Usage(input, count(tokens.path("output")) + count(tokens.path("reasoning")), cacheRead));
                if (part.path("cost").isNumber()) summary.addCost(part.path("cost").asDouble());
                summary.finished(!part.path("reason").asString("").equals("tool-calls"));
            }
            case "error" -> {
                JsonNode error = event.path("error");
                String message = error.path("data").path("message").asString("");
                if (message.isBlank()) message = error.path("message").asString("");
                if (message.isBlank()) message = text(error.isMissingNode() ? event : error);
                String name = error.path("name").asString("");
                String full = name.isBlank() ? message : name + ": " + message;
                summary.error(full);
                out.add(new AgentEvent.Error(at, full));
            }
            default -> { }
        }
    }

    private void tool(JsonNode part, Instant at, List<AgentEvent> out) {
        String tool = part.path("tool").asString("");
        JsonNode state = part.path("state");
        JsonNode input = state.path("input");
        String status = state.path("status").asString("");
        if (tool.equals("bash")) {
            JsonNode exit = state.path("metadata").path("exit");
            out.add(new AgentEvent.CommandRun(at, input.path("command").asString(""), exit.isNumber() ? exit.asInt() : -1,
                    clip(text(state.path("output")), 2000)));
        } else {
            out.add(new AgentEvent.ToolUse(at, tool, text(input)));
        }
        if (status.equals("error")) out.add(new AgentEvent.Error(at, tool + " failed: " + clip(text(state.path("error")), 500)));
    }
}
