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
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Chat Completions, {@code POST /v1/chat/completions}, as the {@code openai} SDKs send it:
 * system and {@code developer} messages, user content as a string or parts, assistant
 * {@code tool_calls}, {@code tool} messages, {@code tools}/{@code tool_choice},
 * {@code response_format}, {@code stop}, {@code stream_options.include_usage}. Image, audio and
 * file parts cannot be carried (ensemble's messages are text) and become a marker in the text.
 */
public final class OpenAiChatCodec implements WireCodec {
    static final String NON_TEXT = "[%s omitted: the gateway carries text only]";

    @Override
    public WireProtocol wire() {
        return WireProtocol.OPENAI_CHAT;
    }

    @Override
    public GatewayRequest decode(byte[] body, String pathModel, boolean streamFromPath) {
        ObjectNode root = Fields.parse(body);
        String model = Fields.requiredString(root, "model", "");
        List<ChatMessage> messages = messages(Fields.requiredArray(root, "messages", ""));
        List<ToolSpec> tools = tools(Fields.array(root, "tools", ""));
        int max = Fields.count(root, "max_completion_tokens", "");
        if (max == 0) max = Fields.count(root, "max_tokens", "");
        ChatOptions options = new ChatOptions(toolChoice(root), responseFormat(root), Fields.strings(root, "stop", ""));
        boolean stream = Fields.bool(root, "stream", "") || streamFromPath;
        JsonNode streamOptions = Fields.object(root, "stream_options", "");
        boolean includeUsage = streamOptions != null && Fields.bool(streamOptions, "include_usage", "stream_options");
        ChatRequest chat = new ChatRequest(messages, tools, max, Fields.number(root, "temperature", ""), CallContext.NONE, options);
        return new GatewayRequest(wire(), model, chat, stream, includeUsage, body);
    }

    private static List<ChatMessage> messages(JsonNode array) {
        if (array.isEmpty()) throw new BadRequest("messages", "must hold at least one message");
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String path = at("messages", i);
            JsonNode message = array.get(i);
            Fields.requireObject(message, path);
            String role = Fields.requiredString(message, "role", path);
            switch (role) {
                case "system", "developer" -> messages.add(new ChatMessage.System(content(message, path)));
                case "user" -> messages.add(new ChatMessage.User(content(message, path)));
                case "assistant" -> {
                    List<ToolCall> calls = new ArrayList<>();
                    JsonNode toolCalls = Fields.array(message, "tool_calls", path);
                    for (int j = 0; toolCalls != null && j < toolCalls.size(); j++) {
                        String callPath = at(at(path, "tool_calls"), j);
                        JsonNode call = toolCalls.get(j);
                        Fields.requireObject(call, callPath);
                        JsonNode function = Fields.object(call, "function", callPath);
                        if (function == null) throw new BadRequest(at(callPath, "function"), "is required");
                        String id = Fields.requiredString(call, "id", callPath);
                        String name = Fields.requiredString(function, "name", at(callPath, "function"));
                        String arguments = Fields.string(function, "arguments", at(callPath, "function"));
                        calls.add(new ToolCall(id, name, arguments));
                        callNames.put(id, name);
                    }
                    messages.add(new ChatMessage.Assistant(content(message, path), calls));
                }
                case "tool" -> {
                    String id = Fields.requiredString(message, "tool_call_id", path);
                    String name = callNames.get(id);
                    if (name == null) {
                        throw new BadRequest(at(path, "tool_call_id"), "answers no tool call of an earlier assistant message");
                    }
                    messages.add(new ChatMessage.ToolResult(id, name, content(message, path), false));
                }
                default -> throw new BadRequest(at(path, "role"),
                        "must be system, developer, user, assistant or tool, not '" + role + "'");
            }
        }
        return messages;
    }

    /** A message's content: a string, null (an assistant turn of tool calls only) or an array of parts. */
    static String content(JsonNode message, String path) {
        JsonNode content = Fields.get(message, "content");
        if (content == null) return "";
        return partsText(content, at(path, "content"));
    }

    /** Text of a string or of an array of content parts (chat and Responses part types alike). */
    static String partsText(JsonNode content, String contentPath) {
        if (content.isString()) return content.asString();
        if (!content.isArray()) throw new BadRequest(contentPath, "must be a string or an array of content parts");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String partPath = at(contentPath, i);
            JsonNode part = content.get(i);
            Fields.requireObject(part, partPath);
            String type = Fields.requiredString(part, "type", partPath);
            switch (type) {
                case "text", "input_text", "output_text" -> texts.add(Fields.requiredString(part, "text", partPath));
                case "refusal" -> texts.add(Fields.requiredString(part, "refusal", partPath));
                case "image_url" -> texts.add(NON_TEXT.formatted("image"));
                case "input_audio" -> texts.add(NON_TEXT.formatted("audio"));
                case "file" -> texts.add(NON_TEXT.formatted("file"));
                default -> throw new BadRequest(at(partPath, "type"), "unknown content part type '" + type + "'");
            }
        }
        return String.join("\n", texts);
    }

    private static List<ToolSpec> tools(JsonNode array) {
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; array != null && i < array.size(); i++) {
            String path = at("tools", i);
            JsonNode tool = array.get(i);
            Fields.requireObject(tool, path);
            String type = Fields.string(tool, "type", path);
            if (type != null && !type.equals("function")) {
                throw new BadRequest(at(path, "type"), "only function tools can be served, not '" + type + "'");
            }
            JsonNode function = Fields.object(tool, "function", path);
            if (function == null) throw new BadRequest(at(path, "function"), "is required");
            String functionPath = at(path, "function");
            tools.add(new ToolSpec(Fields.requiredString(function, "name", functionPath),
                    orEmpty(Fields.string(function, "description", functionPath)), parameters(function, functionPath)));
        }
        return tools;
    }

    static JsonNode parameters(JsonNode function, String path) {
        JsonNode parameters = Fields.object(function, "parameters", path);
        return parameters == null ? Fields.emptySchema() : parameters;
    }

    private static ChatOptions.ToolChoice toolChoice(JsonNode root) {
        JsonNode choice = Fields.get(root, "tool_choice");
        if (choice == null) return null;
        if (choice.isString()) {
            return switch (choice.asString()) {
                case "auto" -> ChatOptions.ToolChoice.AUTO;
                case "none" -> ChatOptions.ToolChoice.NONE;
                case "required" -> ChatOptions.ToolChoice.REQUIRED;
                default -> throw new BadRequest("tool_choice", "must be auto, none, required or a function, not '" + choice.asString() + "'");
            };
        }
        Fields.requireObject(choice, "tool_choice");
        JsonNode function = Fields.object(choice, "function", "tool_choice");
        if (function == null) throw new BadRequest("tool_choice.function", "is required");
        return ChatOptions.ToolChoice.tool(Fields.requiredString(function, "name", "tool_choice.function"));
    }

    private static ChatOptions.ResponseFormat responseFormat(JsonNode root) {
        JsonNode format = Fields.object(root, "response_format", "");
        if (format == null) return null;
        String type = Fields.requiredString(format, "type", "response_format");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> ChatOptions.ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode schema = Fields.object(format, "json_schema", "response_format");
                if (schema == null) throw new BadRequest("response_format.json_schema", "is required");
                JsonNode body = Fields.object(schema, "schema", "response_format.json_schema");
                yield body == null ? ChatOptions.ResponseFormat.JSON_OBJECT
                        : ChatOptions.ResponseFormat.schema(Fields.string(schema, "name", "response_format.json_schema"), body,
                                Fields.bool(schema, "strict", "response_format.json_schema"));
            }
            default -> throw new BadRequest("response_format.type", "must be text, json_object or json_schema, not '" + type + "'");
        };
    }

    @Override
    public byte[] encode(ChatResponse response, String model) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.put("id", Sse.id("chatcmpl-")).put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (response.text().isEmpty() && response.hasToolCalls()) message.putNull("content");
        else message.put("content", response.text());
        message.putNull("refusal");
        if (response.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : response.toolCalls()) {
                ObjectNode node = calls.addObject().put("id", Sse.callId(call.id(), "call_")).put("type", "function");
                node.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(response.finishReason()));
        body.set("usage", usage(response.usage()));
        body.putNull("system_fingerprint");
        return Sse.bytes(body);
    }

    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP, OTHER -> "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }

    /** prompt_tokens counts every input token, the cached ones included, as ensemble's Usage does. */
    static ObjectNode usage(Usage usage) {
        ObjectNode node = HttpTransport.JSON.createObjectNode().put("prompt_tokens", usage.inputTokens())
                .put("completion_tokens", usage.outputTokens()).put("total_tokens", usage.totalTokens());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedInputTokens());
        node.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return node;
    }

    @Override
    public StreamEncoder streamEncoder(GatewayRequest request) {
        return new OpenAiChatStream(request.model(), request.includeUsage());
    }

    @Override
    public byte[] error(int httpStatus, String message) {
        return Sse.bytes(errorBody(httpStatus, message, null));
    }

    /** OpenAI's own answer when a spending limit is reached: 429, type and code {@code insufficient_quota}. */
    @Override
    public byte[] quotaError(String message) {
        return Sse.bytes(OpenAiChatCodec.quotaBody(message));
    }

    @Override
    public byte[] error(BadRequest bad) {
        return Sse.bytes(errorBody(400, bad.getMessage(), bad.field().isEmpty() ? null : bad.field()));
    }

    static ObjectNode quotaBody(String message) {
        ObjectNode body = errorBody(429, message, null);
        ((ObjectNode) body.get("error")).put("type", "insufficient_quota").put("code", "insufficient_quota");
        return body;
    }

    /** {@code {"error":{"message","type","param","code"}}}, with OpenAI's type and code for the status. */
    static ObjectNode errorBody(int status, String message, String param) {
        String type;
        String code;
        switch (status) {
            case 400 -> { type = "invalid_request_error"; code = null; }
            case 401 -> { type = "invalid_request_error"; code = "invalid_api_key"; }
            case 403 -> { type = "permission_error"; code = null; }
            case 404 -> { type = "invalid_request_error"; code = "model_not_found"; }
            case 429 -> { type = "rate_limit_error"; code = "rate_limit_exceeded"; }
            default -> {
                type = status >= 500 ? "server_error" : "invalid_request_error";
                code = null;
            }
        }
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        if (param == null) error.putNull("param");
        else error.put("param", param);
        if (code == null) error.putNull("code");
        else error.put("code", code);
        return body;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
