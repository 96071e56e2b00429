package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.core.Usage;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Claude Code's {@code --output-format stream-json} (also Qwen Code's, which copies it):
 * {@code system/init} with the session id, {@code assistant} messages with text and tool_use
 * blocks, {@code user} messages with tool results, and one {@code result} at the end with the
 * final text, is_error, its own cost figure (from its own price table: shown, never charged) and usage.
 *
 * <p>Qwen Code reports an API failure as a successful result whose text starts with
 * {@code [API Error:}; in its flavor that counts as an error.
 */
final class ClaudeStreamParser extends JsonLineParser {
    private static final String API_ERROR = "[API Error:";

    /** Whose stream: they differ in how usage counts cached tokens and in how API errors show. */
    enum Flavor { CLAUDE, QWEN }

    private final Flavor flavor;
    private final Map<String, String> shellCommands = new HashMap<>();
    private String lastText = "";

    ClaudeStreamParser(Flavor flavor) {
        this.flavor = flavor;
    }

    @Override
    protected void onJson(JsonNode event, Instant at, List<AgentEvent> out) {
        summary.sessionId(event.path("session_id").asString(null));
        switch (event.path("type").asString("")) {
            case "assistant" -> assistant(event.path("message"), at, out);
            case "user" -> toolResults(event.path("message"), at, out);
            case "result" -> result(event, at, out);
            case "system" -> {
                String subtype = event.path("subtype").asString("");
                if (subtype.equals("api_retry")) {
                    out.add(new AgentEvent.Error(at, "API call failed (" + event.path("error_status").asString("")
                            + " " + event.path("error").asString("") + "), retry " + event.path("attempt").asInt(0)
                            + " of " + event.path("max_retries").asInt(0)));
                } else if (subtype.contains("error")) {
                    out.add(new AgentEvent.Error(at, text(event)));
                }
            }
            default -> { }
        }
    }

    private void assistant(JsonNode message, Instant at, List<AgentEvent> out) {
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> {
                    String text = block.path("text").asString("");
                    if (!text.isBlank()) {
                        lastText = text;
                        out.add(new AgentEvent.Message(at, text));
                    }
                }
                case "tool_use" -> {
                    String name = block.path("name").asString("");
                    JsonNode input = block.path("input");
                    if (isShell(name)) shellCommands.put(block.path("id").asString(""), input.path("command").asString(""));
                    out.add(new AgentEvent.ToolUse(at, name, text(input)));
                }
                default -> { }
            }
        }
    }

    private void toolResults(JsonNode message, Instant at, List<AgentEvent> out) {
        JsonNode content = message.path("content");
        if (!content.isArray()) return;
        for (JsonNode block : content) {
            if (!block.path("type").asString("").equals("tool_result")) continue;
            boolean failed = block.path("is_error").asBoolean(false);
            String output = resultText(block.path("content"));
            String command = shellCommands.remove(block.path("tool_use_id").asString(""));
            if (command != null) {
                out.add(new AgentEvent.CommandRun(at, command, failed ? 1 : 0, clip(output, 2000)));
            } else if (failed) {
                out.add(new AgentEvent.Error(at, "tool failed: " + clip(output, 500)));
            }
        }
    }

    private void result(JsonNode event, Instant at, List<AgentEvent> out) {
        summary.finished(true);
        String result = event.path("result").asString("");
        summary.finalMessage(result.isBlank() ? lastText : result);
        if (event.path("total_cost_usd").isNumber()) summary.cost(event.path("total_cost_usd").asDouble());
        summary.usage(flavor == Flavor.CLAUDE ? claudeUsage(event) : openAiUsage(event.path("usage")));
        boolean isError = event.path("is_error").asBoolean(false);
        String subtype = event.path("subtype").asString("");
        if (isError || subtype.startsWith("error")) {
            String why = result.isBlank() ? text(event.path("errors")) : result;
            String kind = subtype.isBlank() || subtype.equals("success") ? "" : subtype + ": ";
            summary.error(kind + (why.isBlank() ? "is_error in result" : why));
            out.add(new AgentEvent.Error(at, clip(why.isBlank() ? subtype : why, 1000)));
        } else if (flavor == Flavor.QWEN && result.stripLeading().startsWith(API_ERROR)) {
            summary.error(clip(result.strip(), 1000));
            out.add(new AgentEvent.Error(at, clip(result.strip(), 1000)));
        }
    }

    /**
     * Anthropic counts cache reads and writes apart from {@code input_tokens}; ensemble's input
     * includes them, with the reads as the cached part.
     */
    static Usage usage(JsonNode usage) {
        long cacheRead = count(usage.path("cache_read_input_tokens"));
        long input = count(usage.path("input_tokens")) + count(usage.path("cache_creation_input_tokens")) + cacheRead;
        return new Usage(input, count(usage.path("output_tokens")), cacheRead);
    }

    /**
     * Every call of the run: {@code modelUsage} counts each model Claude Code called (the side calls
     * for titles and summaries go to the "small fast" model, which ensemble points at the same
     * model), where {@code usage} counts the main conversation only. Without it, {@code usage}.
     */
    static Usage claudeUsage(JsonNode result) {
        JsonNode perModel = result.path("modelUsage");
        if (!perModel.isObject() || perModel.isEmpty()) return usage(result.path("usage"));
        Usage total = Usage.ZERO;
        for (JsonNode m : perModel.values()) {
            long cacheRead = count(m.path("cacheReadInputTokens"));
            long input = count(m.path("inputTokens")) + count(m.path("cacheCreationInputTokens")) + cacheRead;
            total = total.plus(new Usage(input, count(m.path("outputTokens")), cacheRead));
        }
        return total;
    }

    /** Qwen reports OpenAI's counts under Anthropic's names: its input already includes the cache reads. */
    static Usage openAiUsage(JsonNode usage) {
        long input = count(usage.path("input_tokens"));
        return new Usage(input, count(usage.path("output_tokens")), Math.min(input, count(usage.path("cache_read_input_tokens"))));
    }

    private static boolean isShell(String tool) {
        return tool.equals("Bash") || tool.equals("run_shell_command");
    }

    private static String resultText(JsonNode content) {
        if (content.isString()) return content.asString();
        if (!content.isArray()) return text(content);
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asString("").equals("text")) text.append(part.path("text").asString(""));
        }
        return text.toString();
    }
}
