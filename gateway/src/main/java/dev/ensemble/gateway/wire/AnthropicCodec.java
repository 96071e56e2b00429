package dev.ensemble.gateway.wire;

import static dev.ensemble.gateway.wire.Fields.at;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic Messages, {@code POST /v1/messages} (and {@code count_tokens}), as Claude Code and the
 * {@code @anthropic-ai/sdk} send it. Decoding serves targets that are not Anthropic (an Anthropic
 * target gets the client's bytes), so what only Anthropic can run is resolved here:
 * <ul>
 *   <li>tools with {@code defer_loading} become ordinary tools, and a {@code tool_reference}
 *       block (a tool result that loads a deferred tool) becomes a line of text naming the tool
 *       and its description: the target already has the tool's definition;</li>
 *   <li>Anthropic-defined tools ({@code type} such as {@code tool_search_tool_regex_20251119},
 *       {@code web_search_20250305}, {@code bash_20250124}) are dropped: the tool search is moot
 *       once every tool is sent, and the others have no schema another model could use;</li>
 *   <li>{@code thinking} blocks, {@code cache_control} and {@code metadata} are dropped; images and
 *       documents become a marker in the text.</li>
 * </ul>
 * Within a user turn, tool results come before the turn's text, as the other wires need them
 * right after the calls they answer.
 */
public final class AnthropicCodec implements WireCodec {

    @Override
    public WireProtocol wire() {
        return WireProtocol.ANTHROPIC;
    }

    @Override
    public GatewayRequest decode(byte[] body, String pathModel, boolean streamFromPath) {
        ObjectNode root = Fields.parse(body);
        String model = Fields.requiredString(root, "model", "");
        Map<String, ToolSpec> tools = tools(Fields.array(root, "tools", ""));
        List<ChatMessage> messages = new ArrayList<>();
        String system = systemText(Fields.get(root, "system"));
        if (!system.isEmpty()) messages.add(new ChatMessage.System(system));
        messages.addAll(messages(Fields.requiredArray(root, "messages", ""), tools));
        ChatOptions options = new ChatOptions(toolChoice(Fields.object(root, "tool_choice", "")), outputFormat(root),
                Fields.strings(root, "stop_sequences", ""));
        ChatRequest chat = new ChatRequest(messages, List.copyOf(tools.values()), Fields.count(root, "max_tokens", ""),
                Fields.number(root, "temperature", ""), CallContext.NONE, options);
        return new GatewayRequest(wire(), model, chat, Fields.bool(root, "stream", "") || streamFromPath, true, body);
    }

    private static String systemText(JsonNode system) {
        if (system == null) return "";
        if (system.isString()) return system.asString();
        if (!system.isArray()) throw new BadRequest("system", "must be a string or an array of text blocks");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < system.size(); i++) {
            String path = at("system", i);
            JsonNode block = system.get(i);
            Fields.requireObject(block, path);
            String type = Fields.requiredString(block, "type", path);
            if (!type.equals("text")) throw new BadRequest(at(path, "type"), "must be text, not '" + type + "'");
            texts.add(Fields.requiredString(block, "text", path));
        }
        return String.join("\n\n", texts);
    }

    private static List<ChatMessage> messages(JsonNode array, Map<String, ToolSpec> tools) {
        if (array.isEmpty()) throw new BadRequest("messages", "must hold at least one message");
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String path = at("messages", i);
            JsonNode message = array.get(i);
            Fields.requireObject(message, path);
            String role = Fields.requiredString(message, "role", path);
            if (role.equals("system")) {
                // Claude Code 2.1 sends some instructions as a system turn inside messages: taken as
                // system text, where every other wire can carry it, rather than refused.
                messages.add(new ChatMessage.System(plainText(Fields.get(message, "content"), at(path, "content"))));
                continue;
            }
            if (!role.equals("user") && !role.equals("assistant")) {
                throw new BadRequest(at(path, "role"), "must be user or assistant, not '" + role + "'");
            }
            JsonNode content = Fields.get(message, "content");
            String contentPath = at(path, "content");
            if (content == null) throw new BadRequest(contentPath, "is required");
            if (content.isString()) {
                messages.add(role.equals("user") ? new ChatMessage.User(content.asString()) : new ChatMessage.Assistant(content.asString()));
                continue;
            }
            if (!content.isArray()) throw new BadRequest(contentPath, "must be a string or an array of content blocks");
            List<String> texts = new ArrayList<>();
            List<ToolCall> calls = new ArrayList<>();
            List<ChatMessage> results = new ArrayList<>();
            for (int j = 0; j < content.size(); j++) {
                String blockPath = at(contentPath, j);
                JsonNode block = content.get(j);
                Fields.requireObject(block, blockPath);
                String type = Fields.requiredString(block, "type", blockPath);
                switch (type) {
                    case "text" -> texts.add(Fields.requiredString(block, "text", blockPath));
                    case "image", "document" -> texts.add(OpenAiChatCodec.NON_TEXT.formatted(type));
                    case "tool_use" -> {
                        if (!role.equals("assistant")) throw new BadRequest(at(blockPath, "type"), "tool_use belongs to an assistant turn");
                        String id = Fields.requiredString(block, "id", blockPath);
                        String name = Fields.requiredString(block, "name", blockPath);
                        JsonNode input = Fields.get(block, "input");
                        if (input != null && !input.isObject()) throw new BadRequest(at(blockPath, "input"), "must be an object");
                        calls.add(new ToolCall(id, name, input == null ? "{}" : input.toString()));
                        callNames.put(id, name);
                    }
                    case "tool_result" -> {
                        if (!role.equals("user")) throw new BadRequest(at(blockPath, "type"), "tool_result belongs to a user turn");
                        String id = Fields.requiredString(block, "tool_use_id", blockPath);
                        String name = callNames.get(id);
                        if (name == null) throw new BadRequest(at(blockPath, "tool_use_id"), "answers no tool_use of an earlier turn");
                        results.add(new ChatMessage.ToolResult(id, name, resultText(Fields.get(block, "content"),
                                at(blockPath, "content"), tools), Fields.bool(block, "is_error", blockPath)));
                    }
                    case "tool_reference" -> texts.add(reference(block, blockPath, tools));
                    // Reasoning and server-side tool traffic: nothing another model can take.
                    case "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result", "web_fetch_tool_result",
                         "code_execution_tool_result", "tool_search_tool_result", "mcp_tool_use", "mcp_tool_result",
                         "container_upload", "search_result" -> { }
                    default -> throw new BadRequest(at(blockPath, "type"), "unknown content block type '" + type + "'");
                }
            }
            if (role.equals("user")) {
                messages.addAll(results);
                if (!texts.isEmpty() || results.isEmpty()) messages.add(new ChatMessage.User(String.join("\n\n", texts)));
            } else {
                messages.add(new ChatMessage.Assistant(String.join("\n\n", texts), calls));
            }
        }
        return messages;
    }

    /** A tool result's content: a string, or blocks of text (images and tool references resolved to text). */
    private static String resultText(JsonNode content, String path, Map<String, ToolSpec> tools) {
        if (content == null) return "";
        if (content.isString()) return content.asString();
        if (!content.isArray()) throw new BadRequest(path, "must be a string or an array of content blocks");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String blockPath = at(path, i);
            JsonNode block = content.get(i);
            Fields.requireObject(block, blockPath);
            String type = Fields.requiredString(block, "type", blockPath);
            switch (type) {
                case "text" -> texts.add(Fields.requiredString(block, "text", blockPath));
                case "tool_reference" -> texts.add(reference(block, blockPath, tools));
                case "image", "document" -> texts.add(OpenAiChatCodec.NON_TEXT.formatted(type));
                case "search_result" -> texts.add(Fields.asText(block.get("content")));
                default -> throw new BadRequest(at(blockPath, "type"), "unknown content block type '" + type + "'");
            }
        }
        return String.join("\n", texts);
    }

    /**
     * A {@code tool_reference} loads a deferred tool on Anthropic. Every tool is sent to other
     * targets, so the reference becomes a line saying the tool is now available, with its description.
     */
    private static String reference(JsonNode block, String path, Map<String, ToolSpec> tools) {
        String name = Fields.string(block, "tool_name", path);
        if (name == null) name = Fields.requiredString(block, "name", path);
        ToolSpec tool = tools.get(name);
        if (tool == null) throw new BadRequest(at(path, "tool_name"), "names no tool of the request: '" + name + "'");
        return "Tool " + name + " is available" + (tool.description().isEmpty() ? "." : ": " + tool.description());
    }

    private static Map<String, ToolSpec> tools(JsonNode array) {
        Map<String, ToolSpec> tools = new LinkedHashMap<>();
        for (int i = 0; array != null && i < array.size(); i++) {
            String path = at("tools", i);
            JsonNode tool = array.get(i);
            Fields.requireObject(tool, path);
            String type = Fields.string(tool, "type", path);
            // Anthropic-defined tools (server tools, tool search, bash/text editor/computer): see the class comment.
            if (type != null && !type.equals("custom")) continue;
            String name = Fields.requiredString(tool, "name", path);
            JsonNode schema = Fields.object(tool, "input_schema", path);
            if (schema == null) throw new BadRequest(at(path, "input_schema"), "is required");
            String description = Fields.string(tool, "description", path);
            tools.put(name, new ToolSpec(name, description == null ? "" : description, schema));
        }
        return tools;
    }

    private static ChatOptions.ToolChoice toolChoice(JsonNode choice) {
        if (choice == null) return null;
        String type = Fields.requiredString(choice, "type", "tool_choice");
        return switch (type) {
            case "auto" -> ChatOptions.ToolChoice.AUTO;
            case "any" -> ChatOptions.ToolChoice.REQUIRED;
            case "none" -> ChatOptions.ToolChoice.NONE;
            case "tool" -> ChatOptions.ToolChoice.tool(Fields.requiredString(choice, "name", "tool_choice"));
            default -> throw new BadRequest("tool_choice.type", "must be auto, any, tool or none, not '" + type + "'");
        };
    }

    /** Structured outputs ({@code output_format: {type: json_schema, schema}}), Anthropic's JSON mode. */
    private static ChatOptions.ResponseFormat outputFormat(JsonNode root) {
        JsonNode format = Fields.object(root, "output_format", "");
        if (format == null) return null;
        String type = Fields.requiredString(format, "type", "output_format");
        if (!type.equals("json_schema")) throw new BadRequest("output_format.type", "must be json_schema, not '" + type + "'");
        JsonNode schema = Fields.object(format, "schema", "output_format");
        return schema == null ? ChatOptions.ResponseFormat.JSON_OBJECT : ChatOptions.ResponseFormat.schema(null, schema, true);
    }

    @Override
    public byte[] encode(ChatResponse response, String model) {
        ObjectNode body = message(Sse.id("msg_"), model);
        ArrayNode content = body.withArray("content");
        if (!response.text().isEmpty() || !response.hasToolCalls()) content.addObject().put("type", "text").put("text", response.text());
        for (ToolCall call : response.toolCalls()) {
            content.addObject().put("type", "tool_use").put("id", Sse.callId(call.id(), "toolu_")).put("name", call.name())
                    .set("input", Fields.argumentsObject(call.argumentsJson()));
        }
        body.put("stop_reason", stopReason(response.finishReason())).putNull("stop_sequence");
        body.set("usage", usage(response.usage()));
        return Sse.bytes(body);
    }

    static ObjectNode message(String id, String model) {
        ObjectNode message = HttpTransport.JSON.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
                .put("model", model);
        message.putArray("content");
        return message;
    }

    static String stopReason(FinishReason reason) {
        return switch (reason) {
            case STOP, OTHER -> "end_turn";
            case LENGTH -> "max_tokens";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
        };
    }

    /**
     * Anthropic's input_tokens leaves out the cache reads, which ensemble's input count includes.
     * Cache writes are not known to ensemble's Usage, so cache_creation_input_tokens is 0.
     */
    static ObjectNode usage(Usage usage) {
        return HttpTransport.JSON.createObjectNode()
                .put("input_tokens", usage.inputTokens() - usage.cachedInputTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", usage.cachedInputTokens())
                .put("output_tokens", usage.outputTokens());
    }

    /** The answer of {@code POST /v1/messages/count_tokens}. */
    public static byte[] tokenCount(long inputTokens) {
        return Sse.bytes(HttpTransport.JSON.createObjectNode().put("input_tokens", inputTokens));
    }

    @Override
    public StreamEncoder streamEncoder(GatewayRequest request) {
        return new AnthropicStream(request.model());
    }

    @Override
    public byte[] error(int httpStatus, String message) {
        return Sse.bytes(errorBody(httpStatus, message));
    }

    /** {@code {"type":"error","error":{"type","message"}}} with Anthropic's error type for the status. */
    static ObjectNode errorBody(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529, 503 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body;
    }

    /** A string, or the text blocks of an array, joined; other blocks are left out. */
    private static String plainText(JsonNode content, String path) {
        if (content == null) throw new BadRequest(path, "is required");
        if (content.isString()) return content.asString();
        if (!content.isArray()) throw new BadRequest(path, "must be a string or an array of content blocks");
        List<String> texts = new ArrayList<>();
        for (JsonNode block : content) {
            if (block.isObject() && "text".equals(block.path("type").asString(""))) texts.add(block.path("text").asString(""));
        }
        return String.join("\n\n", texts);
    }

}
