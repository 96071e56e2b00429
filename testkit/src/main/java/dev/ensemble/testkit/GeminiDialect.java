package dev.ensemble.testkit;

import static dev.ensemble.testkit.DialectSupport.id;
import static dev.ensemble.testkit.DialectSupport.pieces;
import static dev.ensemble.testkit.DialectSupport.sse;

import dev.ensemble.testkit.ScriptedModelServer.TokenCount;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gemini, {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent}.
 * The model is named in the path, not the body. A stream is {@code data:} lines, what the real API
 * sends for {@code ?alt=sse} (the Gemini CLI and ensemble always ask for it; the JSON-array stream
 * the API sends without it is not served). A stream has no terminal marker: its last chunk
 * carries the finishReason.
 * Gemini has no tool call ids and says STOP after a function call too.
 */
final class GeminiDialect implements Dialect {
    private static final String STREAM = ":streamGenerateContent";

    @Override public String protocol() { return "gemini"; }

    @Override public boolean handles(String path) { return path.endsWith(":generateContent") || path.endsWith(STREAM); }

    @Override
    public ParsedRequest parse(String path, String query, JsonNode body) {
        StringBuilder input = new StringBuilder(partsText(either(body, "systemInstruction", "system_instruction").path("parts")))
                .append('\n');
        String lastUser = "";
        boolean toolResult = false;
        for (JsonNode content : body.path("contents")) {
            JsonNode parts = content.path("parts");
            String said = partsText(parts);
            input.append(said).append('\n');
            for (JsonNode part : parts) {
                JsonNode call = either(part, "functionCall", "function_call");
                JsonNode response = either(part, "functionResponse", "function_response");
                if (call.isObject()) input.append(call.path("name").asString("")).append(call.path("args")).append('\n');
                if (response.isObject()) {
                    toolResult = true;
                    input.append(response.path("response")).append('\n');
                }
            }
            // Function responses travel in user turns; those keep the prompt of the turn before.
            if (content.path("role").asString("user").equals("user") && !said.isEmpty()) lastUser = said;
        }
        List<String> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) {
            for (JsonNode declaration : either(tool, "functionDeclarations", "function_declarations")) {
                tools.add(declaration.path("name").asString(""));
            }
        }
        return new ParsedRequest(protocol(), model(path), path.endsWith(STREAM), lastUser, !tools.isEmpty(), toolResult, tools,
                input.toString(), body);
    }

    /** {@code /v1beta/models/gemini-2.5-pro:generateContent} → {@code gemini-2.5-pro}. */
    private static String model(String path) {
        int colon = path.lastIndexOf(':');
        return path.substring(path.lastIndexOf('/', colon) + 1, colon);
    }

    /** The REST API takes both the camelCase and the snake_case spelling of every field. */
    private static JsonNode either(JsonNode node, String camel, String snake) {
        return node.has(camel) ? node.path(camel) : node.path(snake);
    }

    private static String partsText(JsonNode parts) {
        List<String> texts = new ArrayList<>();
        for (JsonNode part : parts) {
            if (part.path("text").isString()) texts.add(part.path("text").asString());
        }
        return String.join("\n", texts);
    }

    @Override
    public Answer render(ParsedRequest request, Reply reply, TokenCount tokens) {
        String responseId = id("");
        String model = request.model();
        List<ObjectNode> chunks = new ArrayList<>();
        switch (reply) {
            case Reply.Text t -> {
                List<String> pieces = request.stream() ? pieces(t.text()) : List.of(t.text());
                for (String piece : pieces) chunks.add(chunk(responseId, model, obj().put("text", piece)));
            }
            case Reply.ToolCall c -> {
                // The real API sends a function call whole, in one chunk, even when streaming.
                ObjectNode call = obj().put("name", c.name());
                call.set("args", args(c.argumentsJson()));
                chunks.add(chunk(responseId, model, obj().set("functionCall", call)));
            }
        }
        ObjectNode last = chunks.getLast();
        ((ObjectNode) last.path("candidates").path(0)).put("finishReason", "STOP");
        last.set("usageMetadata", usage(tokens));
        if (!request.stream()) return Answer.json(ScriptedModelServer.JSON.writeValueAsString(last));
        List<String> out = new ArrayList<>();
        for (ObjectNode chunk : chunks) out.add(sse(chunk));
        return new Answer(200, "text/event-stream", out);
    }

    private static ObjectNode chunk(String responseId, String model, ObjectNode part) {
        ObjectNode chunk = obj();
        ObjectNode candidate = chunk.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.putArray("parts").add(part);
        content.put("role", "model");
        candidate.put("index", 0);
        chunk.put("modelVersion", model).put("responseId", responseId);
        return chunk;
    }

    /** Arguments that are not a JSON object (a scripted bad model) are passed on as they are. */
    private static JsonNode args(String argumentsJson) {
        try {
            return ScriptedModelServer.JSON.readTree(argumentsJson);
        } catch (JacksonException e) {
            return ScriptedModelServer.JSON.getNodeFactory().stringNode(argumentsJson);
        }
    }

    /** promptTokenCount includes the cached tokens, as a TokenCount does. */
    private static ObjectNode usage(TokenCount tokens) {
        ObjectNode usage = obj().put("promptTokenCount", tokens.input()).put("candidatesTokenCount", tokens.output())
                .put("totalTokenCount", tokens.input() + tokens.output());
        if (tokens.cached() > 0) usage.put("cachedContentTokenCount", tokens.cached());
        return usage;
    }

    private static ObjectNode obj() {
        return ScriptedModelServer.JSON.createObjectNode();
    }

    @Override
    public String errorBody(int status, String message) {
        String code = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
        ObjectNode body = obj();
        body.putObject("error").put("code", status).put("message", message).put("status", code);
        return ScriptedModelServer.JSON.writeValueAsString(body);
    }
}
