package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectSupport.pieces;
import static dev.ensemble.testkit.DialectSupport.text;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama's native chat API, {@code POST /api/chat}. Unlike the OpenAI dialects a request without
 * {@code stream} is streamed (Ollama's default), a stream is newline-delimited JSON ending in a
 * line with {@code done:true} and the counts, tool arguments are JSON objects rather than text,
 * and tool calls carry no ids: results come back as {@code {role:"tool", tool_name}}.
 */
final class OllamaDialect implements Dialect {

    @Override public String protocol() { return "ollama"; }

    @Override public boolean handles(String path) { return path.equals("/api/chat"); }

    @Override
    public ParsedRequest parse(String path, String query, JsonNode body) {
        String lastUser = "";
        boolean toolResult = false;
        StringBuilder input = new StringBuilder();
        for (JsonNode message : body.path("messages")) {
            String role = message.path("role").asString("");
            String content = text(message.path("content"));
            input.append(content).append('\n');
            for (JsonNode call : message.path("tool_calls")) {
                input.append(call.path("function").path("name").asString("")).append(text(call.path("function").path("arguments")))
                        .append('\n');
            }
            if (role.equals("user")) lastUser = content;
            if (role.equals("tool")) toolResult = true;
        }
        List<String> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) tools.add(tool.path("function").path("name").asString(""));
        // Ollama streams unless told not to; a client that forgets "stream":false gets NDJSON.
        boolean stream = body.path("stream").asBoolean(true);
        return new ParsedRequest(protocol(), body.path("model").asString(""), stream, lastUser, !tools.isEmpty(), toolResult,
                tools, input.toString(), body);
    }

    @Override
    public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        String model = request.model();
        if (!request.stream()) {
            ObjectNode body = line(model);
            ObjectNode message = body.putObject("message").put("role", "assistant");
            switch (reply) {
                case Reply.Text t -> message.put("content", t.text());
                case Reply.ToolCall c -> {
                    message.put("content", "");
                    addToolCall(message, c);
                }
            }
            finish(body, tokens);
            return Answer.json(ScriptedModelServer.JSON.writeValueAsString(body));
        }
        List<String> lines = new ArrayList<>();
        switch (reply) {
            case Reply.Text t -> {
                for (String piece : pieces(t.text())) {
                    ObjectNode chunk = line(model);
                    chunk.putObject("message").put("role", "assistant").put("content", piece);
                    chunk.put("done", false);
                    lines.add(ndjson(chunk));
                }
            }
            case Reply.ToolCall c -> {
                // Ollama sends a tool call whole, in one chunk, never as argument fragments.
                ObjectNode chunk = line(model);
                ObjectNode message = chunk.putObject("message").put("role", "assistant").put("content", "");
                addToolCall(message, c);
                chunk.put("done", false);
                lines.add(ndjson(chunk));
            }
        }
        ObjectNode last = line(model);
        last.putObject("message").put("role", "assistant").put("content", "");
        finish(last, tokens);
        lines.add(ndjson(last));
        return new Answer(200, "application/x-ndjson", lines);
    }

    private static ObjectNode line(String model) {
        ObjectNode node = ScriptedModelServer.JSON.createObjectNode();
        node.put("model", model).put("created_at", Instant.now().toString());
        return node;
    }

    private static void addToolCall(ObjectNode message, Reply.ToolCall call) {
        ObjectNode function = message.putArray("tool_calls").addObject().putObject("function");
        function.put("index", 0).put("name", call.name());
        JsonNode arguments;
        try {
            arguments = ScriptedModelServer.JSON.readTree(call.argumentsJson());
        } catch (JacksonException e) {
            arguments = null;
        }
        // A script may hold deliberately broken arguments; Ollama itself always sends an object.
        if (arguments != null && arguments.isObject()) function.set("arguments", arguments);
        else function.put("arguments", call.argumentsJson());
    }

    private static void finish(ObjectNode body, TokenCount tokens) {
        body.put("done", true).put("done_reason", "stop");
        // Durations are nanoseconds in Ollama; fixed values keep answers deterministic.
        body.put("total_duration", 5_000_000L).put("load_duration", 1_000_000L)
                .put("prompt_eval_count", tokens.input()).put("prompt_eval_duration", 1_000_000L)
                .put("eval_count", tokens.output()).put("eval_duration", 3_000_000L);
    }

    private static String ndjson(JsonNode node) {
        return ScriptedModelServer.JSON.writeValueAsString(node) + "\n";
    }

    @Override
    public String errorBody(int status, String message) {
        ObjectNode body = ScriptedModelServer.JSON.createObjectNode();
        body.put("error", message);
        return ScriptedModelServer.JSON.writeValueAsString(body);
    }
}
