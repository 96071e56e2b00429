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
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Responses, {@code POST /v1/responses}, as Codex and the {@code openai} SDKs send it:
 * {@code instructions}, {@code input} as a string or items (messages, {@code function_call},
 * {@code function_call_output}), function tools, {@code tool_choice}, {@code text.format}. The
 * gateway keeps no responses, so {@code previous_response_id} and {@code item_reference} are
 * refused (Codex sends the whole conversation with {@code store:false}); reasoning items and
 * hosted tools (web search, file search, ...) are dropped.
 *
 * <p>Custom (free-form) tools, such as Codex's {@code apply_patch}, have no JSON arguments: other
 * targets get them as a function of one string argument, {@code input}, and a call of one is
 * answered as a {@code custom_tool_call} item with that string, so the client sees its own kind of call.
 */
public final class ResponsesCodec implements WireCodec {

    @Override
    public WireProtocol wire() {
        return WireProtocol.OPENAI_RESPONSES;
    }

    @Override
    public GatewayRequest decode(byte[] body, String pathModel, boolean streamFromPath) {
        ObjectNode root = Fields.parse(body);
        String model = Fields.requiredString(root, "model", "");
        if (Fields.present(root, "previous_response_id")) {
            throw new BadRequest("previous_response_id", "the gateway keeps no responses: send the whole conversation in input");
        }
        List<ChatMessage> messages = new ArrayList<>();
        String instructions = Fields.string(root, "instructions", "");
        if (instructions != null && !instructions.isEmpty()) messages.add(new ChatMessage.System(instructions));
        JsonNode input = Fields.get(root, "input");
        if (input == null) throw new BadRequest("input", "is required");
        if (input.isString()) messages.add(new ChatMessage.User(input.asString()));
        else if (input.isArray()) messages.addAll(items(input));
        else throw new BadRequest("input", "must be a string or an array of items");
        if (messages.isEmpty()) throw new BadRequest("input", "must hold at least one message");
        ChatOptions options = new ChatOptions(toolChoice(Fields.get(root, "tool_choice")), textFormat(root), List.of());
        ChatRequest chat = new ChatRequest(messages, tools(Fields.array(root, "tools", "")), Fields.count(root, "max_output_tokens", ""),
                Fields.number(root, "temperature", ""), CallContext.NONE, options);
        return new GatewayRequest(wire(), model, chat, Fields.bool(root, "stream", "") || streamFromPath, true, body);
    }

    private static List<ChatMessage> items(JsonNode input) {
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        List<ToolCall> pendingCalls = new ArrayList<>();
        String pendingText = "";
        for (int i = 0; i < input.size(); i++) {
            String path = at("input", i);
            JsonNode item = input.get(i);
            Fields.requireObject(item, path);
            String type = Fields.string(item, "type", path);
            if (type == null) type = "message";
            // Consecutive function_call items (and the assistant message before them) are one assistant turn.
            if (!isCall(type) && !pendingCalls.isEmpty()) {
                messages.add(new ChatMessage.Assistant(pendingText, pendingCalls));
                pendingCalls = new ArrayList<>();
                pendingText = "";
            }
            switch (type) {
                case "message" -> {
                    String role = Fields.requiredString(item, "role", path);
                    String text = OpenAiChatCodec.content(item, path);
                    switch (role) {
                        case "system", "developer" -> messages.add(new ChatMessage.System(text));
                        case "user" -> messages.add(new ChatMessage.User(text));
                        case "assistant" -> {
                            if (i + 1 < input.size() && isCall(input.get(i + 1).path("type").asString(""))) {
                                pendingText = text;
                            } else {
                                messages.add(new ChatMessage.Assistant(text));
                            }
                        }
                        default -> throw new BadRequest(at(path, "role"),
                                "must be user, assistant, system or developer, not '" + role + "'");
                    }
                }
                case "function_call" -> {
                    String callId = Fields.requiredString(item, "call_id", path);
                    String name = Fields.requiredString(item, "name", path);
                    pendingCalls.add(new ToolCall(callId, name, Fields.string(item, "arguments", path)));
                    callNames.put(callId, name);
                }
                case "custom_tool_call" -> {
                    String callId = Fields.requiredString(item, "call_id", path);
                    String name = Fields.requiredString(item, "name", path);
                    String arguments = HttpTransport.JSON.createObjectNode().put(CUSTOM_INPUT,
                            Fields.requiredString(item, "input", path)).toString();
                    pendingCalls.add(new ToolCall(callId, name, arguments));
                    callNames.put(callId, name);
                }
                case "function_call_output", "custom_tool_call_output" -> {
                    String callId = Fields.requiredString(item, "call_id", path);
                    String name = callNames.get(callId);
                    if (name == null) throw new BadRequest(at(path, "call_id"), "answers no function_call before it");
                    JsonNode output = Fields.get(item, "output");
                    String text = output == null ? "" : OpenAiChatCodec.partsText(output, at(path, "output"));
                    messages.add(new ChatMessage.ToolResult(callId, name, text, false));
                }
                case "reasoning", "web_search_call", "file_search_call", "image_generation_call" -> { }
                case "item_reference" -> throw new BadRequest(at(path, "type"), "the gateway keeps no items to refer to");
                default -> throw new BadRequest(at(path, "type"), "unknown input item type '" + type + "'");
            }
        }
        if (!pendingCalls.isEmpty()) messages.add(new ChatMessage.Assistant(pendingText, pendingCalls));
        return messages;
    }

    private static boolean isCall(String type) {
        return type.equals("function_call") || type.equals("custom_tool_call");
    }

    private static List<ToolSpec> tools(JsonNode array) {
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; array != null && i < array.size(); i++) {
            String path = at("tools", i);
            JsonNode tool = array.get(i);
            Fields.requireObject(tool, path);
            String type = Fields.requiredString(tool, "type", path);
            if (type.equals("custom")) {
                tools.add(customTool(tool, path));
                continue;
            }
            // Hosted tools (web_search, file_search, code_interpreter, mcp ...) run on OpenAI only.
            if (!type.equals("function")) continue;
            String description = Fields.string(tool, "description", path);
            tools.add(new ToolSpec(Fields.requiredString(tool, "name", path), description == null ? "" : description,
                    OpenAiChatCodec.parameters(tool, path)));
        }
        return tools;
    }

    static final String CUSTOM_INPUT = "input";

    /** A free-form tool as a function of one string; its grammar, if any, is given to the model in the description. */
    private static ToolSpec customTool(JsonNode tool, String path) {
        String description = Fields.string(tool, "description", path);
        StringBuilder text = new StringBuilder(description == null ? "" : description);
        JsonNode format = Fields.object(tool, "format", path);
        if (format != null && "grammar".equals(format.path("type").asString(""))) {
            text.append("\n\nThe input follows this ").append(format.path("syntax").asString("")).append(" grammar:\n")
                    .append(format.path("definition").asString(""));
        }
        text.append("\n\nPut the whole free-form input, as text, in the `input` argument.");
        ObjectNode schema = HttpTransport.JSON.createObjectNode().put("type", "object");
        schema.putObject("properties").putObject(CUSTOM_INPUT).put("type", "string");
        schema.putArray("required").add(CUSTOM_INPUT);
        return new ToolSpec(Fields.requiredString(tool, "name", path), text.toString().strip(), schema);
    }

    /** The names of the request's custom tools, read again from its body only when an answer calls a tool. */
    static java.util.Set<String> customToolNames(byte[] rawBody) {
        java.util.Set<String> names = new java.util.HashSet<>();
        try {
            for (JsonNode tool : HttpTransport.JSON.readTree(rawBody).path("tools")) {
                if ("custom".equals(tool.path("type").asString(""))) names.add(tool.path("name").asString(""));
            }
        } catch (RuntimeException unreadable) {
            // decoded once already; a body that cannot be read again has no custom tools to honour
        }
        return names;
    }

    /** A custom tool's call: the string the model put in {@code input} (or the raw arguments when it put none). */
    static String customInput(ToolCall call) {
        JsonNode input = Fields.argumentsObject(call.argumentsJson()).get(CUSTOM_INPUT);
        return input != null && input.isString() ? input.asString() : call.argumentsJson();
    }

    static ObjectNode customCallItem(String id, ToolCall call, String input, String status) {
        return HttpTransport.JSON.createObjectNode().put("id", id).put("type", "custom_tool_call").put("status", status)
                .put("call_id", Sse.callId(call.id(), "call_")).put("name", call.name()).put("input", input);
    }

    private static ChatOptions.ToolChoice toolChoice(JsonNode choice) {
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
        String type = Fields.requiredString(choice, "type", "tool_choice");
        // A hosted tool or an allowed-tools list cannot be forced elsewhere: the model chooses.
        return type.equals("function") ? ChatOptions.ToolChoice.tool(Fields.requiredString(choice, "name", "tool_choice"))
                : ChatOptions.ToolChoice.AUTO;
    }

    private static ChatOptions.ResponseFormat textFormat(JsonNode root) {
        JsonNode text = Fields.object(root, "text", "");
        JsonNode format = text == null ? null : Fields.object(text, "format", "text");
        if (format == null) return null;
        String type = Fields.requiredString(format, "type", "text.format");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> ChatOptions.ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode schema = Fields.object(format, "schema", "text.format");
                if (schema == null) throw new BadRequest("text.format.schema", "is required");
                yield ChatOptions.ResponseFormat.schema(Fields.string(format, "name", "text.format"), schema,
                        Fields.bool(format, "strict", "text.format"));
            }
            default -> throw new BadRequest("text.format.type", "must be text, json_object or json_schema, not '" + type + "'");
        };
    }

    @Override
    public byte[] encode(ChatResponse response, String model) {
        return encode(response, model, java.util.Set.of());
    }

    @Override
    public byte[] encode(ChatResponse response, GatewayRequest request) {
        return encode(response, request.model(), response.hasToolCalls() ? customToolNames(request.rawBody()) : java.util.Set.of());
    }

    private static byte[] encode(ChatResponse response, String model, java.util.Set<String> customTools) {
        ObjectNode body = response(Sse.id("resp_"), model, System.currentTimeMillis() / 1000);
        var output = body.withArray("output");
        if (!response.text().isEmpty()) output.add(messageItem(Sse.id("msg_"), response.text(), "completed"));
        for (ToolCall call : response.toolCalls()) {
            output.add(customTools.contains(call.name()) ? customCallItem(Sse.id("ctc_"), call, customInput(call), "completed")
                    : functionCallItem(Sse.id("fc_"), call, call.argumentsJson(), "completed"));
        }
        complete(body, response);
        return Sse.bytes(body);
    }

    /** A response object with no output yet, as {@code response.created} shows it. */
    static ObjectNode response(String id, String model, long createdAt) {
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("id", id).put("object", "response").put("created_at", createdAt)
                .put("status", "in_progress").putNull("error").putNull("incomplete_details").putNull("instructions")
                .put("model", model);
        body.putArray("output");
        body.put("parallel_tool_calls", true).put("tool_choice", "auto");
        body.putArray("tools");
        body.putNull("usage");
        return body;
    }

    /** Status and usage of a finished response: completed, or incomplete when the answer was cut short. */
    static void complete(ObjectNode body, ChatResponse response) {
        switch (response.finishReason()) {
            case LENGTH -> body.put("status", "incomplete").putObject("incomplete_details").put("reason", "max_output_tokens");
            case CONTENT_FILTER -> body.put("status", "incomplete").putObject("incomplete_details").put("reason", "content_filter");
            default -> body.put("status", "completed");
        }
        body.set("usage", usage(response.usage()));
    }

    static boolean incomplete(FinishReason reason) {
        return reason == FinishReason.LENGTH || reason == FinishReason.CONTENT_FILTER;
    }

    static ObjectNode messageItem(String id, String text, String status) {
        ObjectNode item = HttpTransport.JSON.createObjectNode().put("id", id).put("type", "message").put("status", status)
                .put("role", "assistant");
        var content = item.putArray("content");
        if (text != null) content.add(textPart(text));
        return item;
    }

    static ObjectNode textPart(String text) {
        ObjectNode part = HttpTransport.JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    static ObjectNode functionCallItem(String id, ToolCall call, String arguments, String status) {
        return HttpTransport.JSON.createObjectNode().put("id", id).put("type", "function_call").put("status", status)
                .put("call_id", Sse.callId(call.id(), "call_")).put("name", call.name()).put("arguments", arguments);
    }

    /** input_tokens counts the cached ones too, as ensemble's Usage does. */
    static ObjectNode usage(Usage usage) {
        ObjectNode node = HttpTransport.JSON.createObjectNode().put("input_tokens", usage.inputTokens());
        node.putObject("input_tokens_details").put("cached_tokens", usage.cachedInputTokens());
        node.put("output_tokens", usage.outputTokens());
        node.putObject("output_tokens_details").put("reasoning_tokens", 0);
        return node.put("total_tokens", usage.totalTokens());
    }

    @Override
    public StreamEncoder streamEncoder(GatewayRequest request) {
        return new ResponsesStream(request.model(), () -> customToolNames(request.rawBody()));
    }

    @Override
    public byte[] error(int httpStatus, String message) {
        return Sse.bytes(OpenAiChatCodec.errorBody(httpStatus, message, null));
    }

    /** OpenAI's own answer when a spending limit is reached: 429, type and code {@code insufficient_quota}. */
    @Override
    public byte[] quotaError(String message) {
        return Sse.bytes(OpenAiChatCodec.quotaBody(message));
    }

    @Override
    public byte[] error(BadRequest bad) {
        return Sse.bytes(OpenAiChatCodec.errorBody(400, bad.getMessage(), bad.field().isEmpty() ? null : bad.field()));
    }
}
