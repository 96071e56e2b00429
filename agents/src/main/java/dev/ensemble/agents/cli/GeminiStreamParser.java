package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Gemini CLI's {@code --output-format stream-json}: {@code init} (session id), {@code message}
 * (assistant text arrives in deltas, joined here into one Message), {@code tool_use},
 * {@code tool_result}, {@code error} and a final {@code result} with status and token stats.
 */
final class GeminiStreamParser extends JsonLineParser {
    private final StringBuilder pending = new StringBuilder();
    private final Map<String, String> shellCommands = new HashMap<>();

    @Override
    protected void onJson(JsonNode event, Instant at, List<AgentEvent> out) {
        String type = event.path("type").asString("");
        if (!type.equals("message")) flush(at, out);
        switch (type) {
            case "init" -> summary.sessionId(event.path("session_id").asString(null));
            case "message" -> {
                if (event.path("role").asString("").equals("assistant")) {
                    if (!event.path("delta").asBoolean(false)) flush(at, out);
                    pending.append(event.path("content").asString(""));
                }
            }
            case "tool_use" -> {
                String tool = event.path("tool_name").asString("");
                JsonNode parameters = event.path("parameters");
                if (tool.equals("run_shell_command")) shellCommands.put(event.path("tool_id").asString(""), parameters.path("command").asString(""));
                out.add(new AgentEvent.ToolUse(at, tool, text(parameters)));
            }
            case "tool_result" -> {
                boolean ok = event.path("status").asString("").equals("success");
                String output = text(event.path("output"));
                String command = shellCommands.remove(event.path("tool_id").asString(""));
                if (command != null) out.add(new AgentEvent.CommandRun(at, command, ok ? 0 : 1, clip(output, 2000)));
                else if (!ok) out.add(new AgentEvent.Error(at, "tool failed: " + clip(text(event.path("error")) + " " + output, 500)));
            }
            case "error" -> out.add(new AgentEvent.Error(at, event.path("message").asString(text(event))));
            case "result" -> result(event, at, out);
            default -> { }
        }
    }

    @Override
    public List<AgentEvent> finish(Instant at) {
        List<AgentEvent> out = new java.util.ArrayList<>();
        flush(at, out);
        return out;
    }

    private void flush(Instant at, List<AgentEvent> out) {
        if (pending.isEmpty()) return;
        String text = pending.toString();
        pending.setLength(0);
        if (text.isBlank()) return;
        summary.finalMessage(text);
        out.add(new AgentEvent.Message(at, text));
    }

    private void result(JsonNode event, Instant at, List<AgentEvent> out) {
        summary.finished(true);
        JsonNode stats = event.path("stats");
        // Gemini's prompt count includes the cached part; "input" repeats "input_tokens" in some versions.
        long input = stats.has("input_tokens") ? count(stats.path("input_tokens")) : count(stats.path("input"));
        summary.usage(new Usage(input, count(stats.path("output_tokens")), Math.min(input, count(stats.path("cached")))));
        if (!event.path("status").asString("success").equals("success")) {
            JsonNode error = event.path("error");
            String message = error.path("message").asString("");
            message = message.isBlank() ? "result status " + event.path("status").asString("") + " " + text(error) : message;
            summary.error(message.strip());
            out.add(new AgentEvent.Error(at, message.strip()));
        }
    }
}
