package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectSupport.id;
import static dev.ensemble.testkit.DialectSupport.pieces;
import static dev.ensemble.testkit.DialectSupport.sse;
import static dev.ensemble.testkit.DialectSupport.text;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Responses, {@code POST /v1/responses} (the API the Codex CLI speaks). A stream is a
 * sequence of typed events, each with an {@code event:} line equal to its {@code type} and a
 * {@code sequence_number}, and ends with {@code response.completed} carrying the whole response
 * and its usage; there is no {@code [DONE]}.
 */
final class OpenAiResponsesDialect implements Dialect {

    @Override public String protocol() { return "openai-responses"; }

    @Override public boolean handles(String path) { return path.endsWith("/responses"); }

    @Override
    public ParsedRequest parse(String path, String query, JsonNode body) {
        String lastUser = "";
        boolean toolResult = false;
        StringBuilder input = new StringBuilder(text(body.path("instructions"))).append('\n');
        JsonNode items = body.path("input");
        if (items.isString()) {
            lastUser = items.asString();
            input.append(lastUser).append('\n');
        }
        for (JsonNode item : items) {
            String type = item.path("type").asString("message");
            switch (type) {
                case "message" -> {
                    String content = content(item.path("content"));
                    input.append(content).append('\n');
                    if (item.path("role").asString("").equals("user")) lastUser = content;
                }
                case "function_call" -> input.append(item.path("name").asString("")).append(text(item.path("arguments"))).append('\n');
                case "function_call_output", "custom_tool_call_output" -> {
                    toolResult = true;
                    input.append(text(item.path("output"))).append('\n');
                }
                default -> { /* reasoning and other items carry no prompt text */ }
            }
        }
        List<String> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) {
            // Function tools are named; built-in ones (web_search, local_shell) only have a type.
            String name = tool.path("name").asString("");
            tools.add(name.isEmpty() ? tool.path("type").asString("") : name);
        }
        return new ParsedRequest(protocol(), body.path("model").asString(""), body.path("stream").asBoolean(false),
                lastUser, !tools.isEmpty(), toolResult, tools, input.toString(), body);
    }

    private static String content(JsonNode content) {
        if (!content.isArray()) return text(content);
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) out.append(part.path("text").asString(""));
        return out.toString();
    }

    @Override
    public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        String responseId = id("resp_");
        long createdAt = System.currentTimeMillis() / 1000;
        ObjectNode item = switch (reply) {
            case Reply.Text t -> messageItem(id("msg_"), t.text());
            case Reply.ToolCall c -> functionCallItem(id("fc_"), id("call_"), c.name(), c.argumentsJson());
        };
        ObjectNode completed = response(request, responseId, createdAt, "completed");
        completed.withArray("output").add(item);
        completed.set("usage", usage(tokens));
        if (!request.stream()) return Answer.json(ScriptedModelServer.JSON.writeValueAsString(completed));

        Events events = new Events();
        events.add("response.created", node -> node.set("response", response(request, responseId, createdAt, "in_progress")));
        events.add("response.in_progress", node -> node.set("response", response(request, responseId, createdAt, "in_progress")));
        String itemId = item.path("id").asString();
        switch (reply) {
            case Reply.Text t -> {
                ObjectNode started = messageItem(itemId, "").put("status", "in_progress");
                started.putArray("content");
                events.add("response.output_item.added", node -> node.put("output_index", 0).set("item", started));
                events.add("response.content_part.added", node -> part(node, itemId).set("part", outputText("")));
                for (String piece : pieces(t.text())) {
                    events.add("response.output_text.delta", node -> part(node, itemId).put("delta", piece).putArray("logprobs"));
                }
                events.add("response.output_text.done", node -> part(node, itemId).put("text", t.text()).putArray("logprobs"));
                events.add("response.content_part.done", node -> part(node, itemId).set("part", outputText(t.text())));
            }
            case Reply.ToolCall c -> {
                ObjectNode started = item.deepCopy().put("status", "in_progress").put("arguments", "");
                events.add("response.output_item.added", node -> node.put("output_index", 0).set("item", started));
                String args = c.argumentsJson();
                int half = args.length() / 2;
                for (String fragment : new String[] {args.substring(0, half), args.substring(half)}) {
                    events.add("response.function_call_arguments.delta",
                            node -> node.put("item_id", itemId).put("output_index", 0).put("delta", fragment));
                }
                events.add("response.function_call_arguments.done",
                        node -> node.put("item_id", itemId).put("output_index", 0).put("name", c.name()).put("arguments", args));
            }
        }
        events.add("response.output_item.done", node -> node.put("output_index", 0).set("item", item));
        events.add("response.completed", node -> node.set("response", completed));
        return new Answer(200, "text/event-stream", events.chunks);
    }

    /** Numbers events in order, as the real API does, and frames each with its type as the event name. */
    private static final class Events {
        final List<String> chunks = new ArrayList<>();

        void add(String type, Consumer<ObjectNode> fill) {
            ObjectNode node = ScriptedModelServer.JSON.createObjectNode();
            node.put("type", type);
            fill.accept(node);
            node.put("sequence_number", chunks.size());
            chunks.add(sse(type, node));
        }
    }

    private static ObjectNode part(ObjectNode node, String itemId) {
        return node.put("item_id", itemId).put("output_index", 0).put("content_index", 0);
    }

    private static ObjectNode outputText(String text) {
        ObjectNode part = ScriptedModelServer.JSON.createObjectNode();
        part.put("type", "output_text").put("text", text).putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    private static ObjectNode messageItem(String id, String text) {
        ObjectNode item = ScriptedModelServer.JSON.createObjectNode();
        item.put("id", id).put("type", "message").put("status", "completed").put("role", "assistant");
        item.putArray("content").add(outputText(text));
        return item;
    }

    private static ObjectNode functionCallItem(String id, String callId, String name, String arguments) {
        ObjectNode item = ScriptedModelServer.JSON.createObjectNode();
        item.put("id", id).put("type", "function_call").put("status", "completed").put("arguments", arguments)
                .put("call_id", callId).put("name", name);
        return item;
    }

    private static ObjectNode response(ParsedRequest request, String id, long createdAt, String status) {
        JsonNode body = request.body();
        ObjectNode response = ScriptedModelServer.JSON.createObjectNode();
        response.put("id", id).put("object", "response").put("created_at", createdAt).put("status", status)
                .putNull("error");
        response.putNull("incomplete_details");
        if (body.path("instructions").isString()) response.set("instructions", body.path("instructions"));
        else response.putNull("instructions");
        if (body.path("max_output_tokens").isNumber()) response.set("max_output_tokens", body.path("max_output_tokens"));
        else response.putNull("max_output_tokens");
        response.put("model", request.model());
        response.putArray("output");
        response.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
        response.putNull("previous_response_id");
        // Codex expects the reasoning object even when the model did not reason.
        response.putObject("reasoning").putNull("effort").putNull("summary");
        response.put("store", body.path("store").asBoolean(true));
        response.put("tool_choice", "auto");
        ArrayNode tools = response.putArray("tools");
        for (JsonNode tool : body.path("tools")) tools.add(tool);
        response.put("truncation", "disabled");
        response.putNull("usage");
        return response;
    }

    private static ObjectNode usage(TokenCount tokens) {
        ObjectNode usage = ScriptedModelServer.JSON.createObjectNode();
        // input_tokens already includes the cached part; the details only say how much of it was cached.
        usage.put("input_tokens", tokens.input());
        usage.putObject("input_tokens_details").put("cached_tokens", tokens.cached());
        usage.put("output_tokens", tokens.output());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", tokens.input() + tokens.output());
        return usage;
    }

    @Override
    public String errorBody(int status, String message) {
        ObjectNode body = ScriptedModelServer.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        switch (status) {
            case 429 -> error.put("type", "requests").putNull("param").put("code", "rate_limit_exceeded");
            case 401 -> error.put("type", "invalid_request_error").putNull("param").put("code", "invalid_api_key");
            case 400, 404 -> error.put("type", "invalid_request_error").putNull("param").putNull("code");
            default -> error.put("type", "server_error").putNull("param").putNull("code");
        }
        return ScriptedModelServer.JSON.writeValueAsString(body);
    }
}
