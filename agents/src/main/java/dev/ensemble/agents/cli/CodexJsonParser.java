package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code codex exec --json}: {@code thread.started} (the session id), {@code item.completed} for
 * messages, shell commands, file changes and tool calls, {@code turn.completed} with the usage
 * (the run's final event) or {@code turn.failed}. An {@code item} of type error is only a warning
 * (codex reports missing model metadata that way); a failed turn is the failure.
 */
final class CodexJsonParser extends JsonLineParser {

    @Override
    protected void onJson(JsonNode event, Instant at, List<AgentEvent> out) {
        switch (event.path("type").asString("")) {
            case "thread.started" -> summary.sessionId(event.path("thread_id").asString(null));
            case "item.completed" -> item(event.path("item"), at, out);
            case "turn.completed" -> {
                JsonNode usage = event.path("usage");
                // OpenAI's input count includes the cached tokens.
                summary.addUsage(new Usage(count(usage.path("input_tokens")), count(usage.path("output_tokens")),
                        count(usage.path("cached_input_tokens"))));
                summary.finished(true);
            }
            case "turn.failed" -> {
                String message = message(event.path("error"));
                summary.error(message);
                out.add(new AgentEvent.Error(at, message));
            }
            case "error" -> out.add(new AgentEvent.Error(at, message(event)));
            default -> { }
        }
    }

    private void item(JsonNode item, Instant at, List<AgentEvent> out) {
        switch (item.path("type").asString("")) {
            case "agent_message" -> {
                String text = item.path("text").asString("");
                summary.finalMessage(text);
                out.add(new AgentEvent.Message(at, text));
            }
            case "command_execution" -> out.add(new AgentEvent.CommandRun(at, item.path("command").asString(""),
                    item.path("exit_code").isNumber() ? item.path("exit_code").asInt() : -1,
                    clip(item.path("aggregated_output").asString(""), 2000)));
            case "file_change" -> out.add(new AgentEvent.ToolUse(at, "file_change", text(item.path("changes"))));
            case "mcp_tool_call" -> out.add(new AgentEvent.ToolUse(at, item.path("server").asString("") + "."
                    + item.path("tool").asString(""), text(item.path("arguments"))));
            case "web_search" -> out.add(new AgentEvent.ToolUse(at, "web_search", item.path("query").asString("")));
            case "error" -> out.add(new AgentEvent.Error(at, message(item)));
            default -> { }
        }
    }

    private static String message(JsonNode node) {
        String message = node.path("message").asString("");
        return message.isBlank() ? text(node) : message;
    }
}
