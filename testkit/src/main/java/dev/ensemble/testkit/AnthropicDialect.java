package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectSupport.id;
import static dev.ensemble.testkit.DialectSupport.pieces;
import static dev.ensemble.testkit.DialectSupport.sse;
import static dev.ensemble.testkit.DialectSupport.text;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic Messages, {@code POST /v1/messages} with any query string (Claude Code posts
 * {@code ?beta=true}). Streams are named events, {@code message_start} through {@code message_stop};
 * the shapes are the ones the real Claude Code CLI accepts.
 *
 * <p>Anthropic counts {@code input_tokens} without the cache reads, while a {@link TokenCount}
 * includes them, so the cached part is subtracted here and reported as {@code cache_read_input_tokens}.
 */
final class AnthropicDialect implements Dialect {

    @Override public String protocol() { return "anthropic"; }

    @Override public boolean handles(String path) { return path.endsWith("/messages"); }

    @Override
    public ParsedRequest parse(String path, String query, JsonNode body) {
        StringBuilder input = new StringBuilder(blocksText(body.path("system"))).append('\n');
        String lastUser = "";
        boolean toolResult = false;
        for (JsonNode message : body.path("messages")) {
            String role = message.path("role").asString("");
            JsonNode content = message.path("content");
            String said = blocksText(content);
            input.append(said).append('\n');
            for (JsonNode block : content.isArray() ? content : List.<JsonNode>of()) {
                switch (block.path("type").asString("")) {
                    case "tool_result" -> {
                        toolResult = true;
                        input.append(blocksText(block.path("content"))).append('\n');
                    }
                    case "tool_use" -> input.append(block.path("name").asString("")).append(block.path("input")).append('\n');
                    default -> { }
                }
            }
            // A user turn that only carries tool results keeps the prompt of the turn before, as in the other dialects.
            if (role.equals("user") && !said.isEmpty()) lastUser = said;
        }
        List<String> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) tools.add(tool.path("name").asString(""));
        return new ParsedRequest(protocol(), body.path("model").asString(""), body.path("stream").asBoolean(false),
                lastUser, !tools.isEmpty(), toolResult, tools, input.toString(), body);
    }

    /** The text of a string or of the text blocks of a block list (system, message content, tool result content). */
    private static String blocksText(JsonNode content) {
        if (!content.isArray()) return text(content);
        List<String> texts = new ArrayList<>();
        for (JsonNode block : content) {
            if (block.path("type").asString("").equals("text")) texts.add(block.path("text").asString(""));
        }
        return String.join("\n", texts);
    }

    @Override
    public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        String id = id("msg_");
        String model = request.model();
        String stopReason = reply instanceof Reply.ToolCall ? "tool_use" : "end_turn";
        if (!request.stream()) {
            ObjectNode body = message(id, model);
            switch (reply) {
                case Reply.Text t -> body.withArray("content").addObject().put("type", "text").put("text", t.text());
                case Reply.ToolCall c -> body.withArray("content").addObject().put("type", "tool_use").put("id", id("toolu_"))
                        .put("name", c.name()).set("input", input(c.argumentsJson()));
            }
            body.put("stop_reason", stopReason).putNull("stop_sequence");
            body.set("usage", usage(tokens.input() - tokens.cached(), tokens.cached(), tokens.output()));
            return Answer.json(ScriptedModelServer.JSON.writeValueAsString(body));
        }
        List<String> chunks = new ArrayList<>();
        ObjectNode start = message(id, model);
        start.putNull("stop_reason").putNull("stop_sequence");
        // Like the real API: the output count starts at 1 and the final count comes with message_delta.
        start.set("usage", usage(tokens.input() - tokens.cached(), tokens.cached(), 1));
        chunks.add(event("message_start", typed("message_start").set("message", start)));
        switch (reply) {
            case Reply.Text t -> {
                chunks.add(event("content_block_start", blockStart().set("content_block",
                        obj().put("type", "text").put("text", ""))));
                chunks.add(event("ping", typed("ping")));
                for (String piece : pieces(t.text())) {
                    chunks.add(event("content_block_delta", typed("content_block_delta").put("index", 0).set("delta",
                            obj().put("type", "text_delta").put("text", piece))));
                }
            }
            case Reply.ToolCall c -> {
                ObjectNode block = obj().put("type", "tool_use").put("id", id("toolu_")).put("name", c.name());
                block.putObject("input");
                chunks.add(event("content_block_start", blockStart().set("content_block", block)));
                chunks.add(event("ping", typed("ping")));
                String args = c.argumentsJson();
                int half = args.length() / 2;
                for (String part : new String[] {args.substring(0, half), args.substring(half)}) {
                    chunks.add(event("content_block_delta", typed("content_block_delta").put("index", 0).set("delta",
                            obj().put("type", "input_json_delta").put("partial_json", part))));
                }
            }
        }
        chunks.add(event("content_block_stop", typed("content_block_stop").put("index", 0)));
        ObjectNode delta = typed("message_delta");
        delta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        delta.putObject("usage").put("output_tokens", tokens.output());
        chunks.add(event("message_delta", delta));
        chunks.add(event("message_stop", typed("message_stop")));
        return new Answer(200, "text/event-stream", chunks);
    }

    private static ObjectNode message(String id, String model) {
        ObjectNode message = obj().put("id", id).put("type", "message").put("role", "assistant").put("model", model);
        message.putArray("content");
        return message;
    }

    /**
     * The tool input as an object. A scripted reply whose arguments are not a JSON object (a test of
     * a model that sends bad arguments) is passed on as it is, which the real API never does.
     */
    private static JsonNode input(String argumentsJson) {
        try {
            return ScriptedModelServer.JSON.readTree(argumentsJson);
        } catch (JacksonException e) {
            return ScriptedModelServer.JSON.getNodeFactory().stringNode(argumentsJson);
        }
    }

    private static ObjectNode usage(int uncachedInput, int cached, int output) {
        return obj().put("input_tokens", uncachedInput).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", cached).put("output_tokens", output);
    }

    private static ObjectNode blockStart() {
        return typed("content_block_start").put("index", 0);
    }

    private static ObjectNode typed(String type) {
        return obj().put("type", type);
    }

    /** Anthropic names each event twice: in the {@code event:} line and in the data's {@code type}. */
    private static String event(String name, JsonNode data) {
        return sse(name, data);
    }

    private static ObjectNode obj() {
        return ScriptedModelServer.JSON.createObjectNode();
    }

    @Override
    public String errorBody(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        ObjectNode body = obj().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return ScriptedModelServer.JSON.writeValueAsString(body);
    }
}
