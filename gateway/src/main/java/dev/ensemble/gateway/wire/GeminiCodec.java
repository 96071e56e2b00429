package dev.ensemble.gateway.wire;

import static dev.ensemble.gateway.wire.Fields.at;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gemini, {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent},
 * as the Gemini CLI ({@code @google/genai}) sends it. The model is in the path. Fields are read in
 * the REST API's lowerCamelCase and in the snake_case the API also accepts.
 *
 * <p>A {@code functionCall} without an id gets one here ({@code call_0}, {@code call_1} ... in the
 * order of the conversation), and a {@code functionResponse} without one answers the earliest
 * unanswered call of its name, as Gemini itself pairs them. Tool schemas given as
 * {@code parameters} (Google's OpenAPI subset, {@code "type":"OBJECT"}) have their types lowered
 * to JSON Schema's; {@code parametersJsonSchema} is taken as it is. Search, code execution and
 * other built-in tools are dropped; thought parts are dropped; inline data becomes a marker.
 */
public final class GeminiCodec implements WireCodec {

    @Override
    public WireProtocol wire() {
        return WireProtocol.GEMINI;
    }

    @Override
    public GatewayRequest decode(byte[] body, String pathModel, boolean streamFromPath) {
        ObjectNode root = Fields.parse(body);
        String model = pathModel == null ? "" : pathModel.startsWith("models/") ? pathModel.substring(7) : pathModel;
        if (model.isEmpty()) throw new BadRequest("model", "is required in the path: /v1beta/models/{model}:generateContent");
        List<ChatMessage> messages = new ArrayList<>();
        String system = systemText(root);
        if (!system.isEmpty()) messages.add(new ChatMessage.System(system));
        messages.addAll(contents(Fields.requiredArray(root, "contents", "")));
        JsonNode config = field(root, "generationConfig", "generation_config");
        if (config != null) Fields.requireObject(config, "generationConfig");
        ChatOptions options = new ChatOptions(toolChoice(root), config == null ? null : responseFormat(config),
                config == null ? List.of() : Fields.strings(config, name(config, "stopSequences", "stop_sequences"), "generationConfig"));
        int max = config == null ? 0 : Fields.count(config, name(config, "maxOutputTokens", "max_output_tokens"), "generationConfig");
        Double temperature = config == null ? null : Fields.number(config, "temperature", "generationConfig");
        ChatRequest chat = new ChatRequest(messages, tools(Fields.array(root, name(root, "tools", "tools"), "")), max, temperature,
                CallContext.NONE, options);
        return new GatewayRequest(wire(), model, chat, streamFromPath, true, body);
    }

    /** The name under which the field is present: camelCase, else snake_case. */
    private static String name(JsonNode parent, String camel, String snake) {
        return Fields.present(parent, camel) || !Fields.present(parent, snake) ? camel : snake;
    }

    private static JsonNode field(JsonNode parent, String camel, String snake) {
        return Fields.get(parent, name(parent, camel, snake));
    }

    private static String systemText(JsonNode root) {
        JsonNode system = field(root, "systemInstruction", "system_instruction");
        if (system == null) return "";
        if (system.isString()) return system.asString();
        Fields.requireObject(system, "systemInstruction");
        JsonNode parts = Fields.requiredArray(system, "parts", "systemInstruction");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String text = Fields.string(parts.get(i), "text", at("systemInstruction.parts", i));
            if (text != null) texts.add(text);
        }
        return String.join("\n\n", texts);
    }

    private static List<ChatMessage> contents(JsonNode contents) {
        if (contents.isEmpty()) throw new BadRequest("contents", "must hold at least one content");
        List<ChatMessage> messages = new ArrayList<>();
        List<ToolCall> unanswered = new ArrayList<>();
        int nextId = 0;
        for (int i = 0; i < contents.size(); i++) {
            String path = at("contents", i);
            JsonNode content = contents.get(i);
            Fields.requireObject(content, path);
            String role = Fields.string(content, "role", path);
            if (role == null) role = "user";
            if (!role.equals("user") && !role.equals("model") && !role.equals("function")) {
                throw new BadRequest(at(path, "role"), "must be user or model, not '" + role + "'");
            }
            JsonNode parts = Fields.requiredArray(content, "parts", path);
            List<String> texts = new ArrayList<>();
            List<ToolCall> calls = new ArrayList<>();
            List<ChatMessage> results = new ArrayList<>();
            for (int j = 0; j < parts.size(); j++) {
                String partPath = at(at(path, "parts"), j);
                JsonNode part = parts.get(j);
                Fields.requireObject(part, partPath);
                if (part.path("thought").asBoolean(false)) continue;
                JsonNode call = field(part, "functionCall", "function_call");
                JsonNode response = field(part, "functionResponse", "function_response");
                String callPath = at(partPath, "functionCall");
                String responsePath = at(partPath, "functionResponse");
                if (Fields.present(part, "text")) {
                    texts.add(Fields.requiredString(part, "text", partPath));
                } else if (call != null) {
                    Fields.requireObject(call, callPath);
                    String id = Fields.string(call, "id", callPath);
                    JsonNode args = Fields.object(call, "args", callPath);
                    ToolCall toolCall = new ToolCall(id == null || id.isEmpty() ? "call_" + nextId++ : id,
                            Fields.requiredString(call, "name", callPath), args == null ? "{}" : args.toString());
                    calls.add(toolCall);
                    unanswered.add(toolCall);
                } else if (response != null) {
                    Fields.requireObject(response, responsePath);
                    String name = Fields.requiredString(response, "name", responsePath);
                    String id = Fields.string(response, "id", responsePath);
                    ToolCall answered = answered(unanswered, id, name);
                    if (answered == null) throw new BadRequest(at(responsePath, "name"), "answers no functionCall before it");
                    unanswered.remove(answered);
                    JsonNode result = Fields.get(response, "response");
                    boolean error = result != null && result.isObject() && result.size() == 1 && result.has("error");
                    results.add(new ChatMessage.ToolResult(answered.id(), name, resultText(result), error));
                } else if (field(part, "inlineData", "inline_data") != null || field(part, "fileData", "file_data") != null) {
                    texts.add(OpenAiChatCodec.NON_TEXT.formatted("file"));
                } else if (!Fields.present(part, "executableCode") && !Fields.present(part, "codeExecutionResult")
                        && !Fields.present(part, "thoughtSignature")) {
                    throw new BadRequest(partPath, "a part needs text, functionCall or functionResponse");
                }
            }
            if (role.equals("model")) {
                messages.add(new ChatMessage.Assistant(String.join("", texts), calls));
            } else {
                messages.addAll(results);
                if (!texts.isEmpty() || results.isEmpty()) messages.add(new ChatMessage.User(String.join("\n", texts)));
            }
        }
        return messages;
    }

    /**
     * The call a response answers: the call with its id, else the earliest unanswered call of its
     * name. (The Gemini CLI gives a response an id of its own making while the call it answers,
     * as Gemini sent it, has none.)
     */
    private static ToolCall answered(List<ToolCall> unanswered, String id, String name) {
        if (id != null && !id.isEmpty()) {
            for (ToolCall call : unanswered) {
                if (call.id().equals(id)) return call;
            }
        }
        for (ToolCall call : unanswered) {
            if (call.name().equals(name)) return call;
        }
        return null;
    }

    /** {@code {"output": text}} and {@code {"error": text}} (the keys the Gemini CLI sends) as their text; other objects as JSON. */
    private static String resultText(JsonNode result) {
        if (result == null) return "";
        if (result.isObject() && result.size() == 1) {
            JsonNode only = result.has("output") ? result.get("output") : result.has("error") ? result.get("error") : null;
            if (only != null) return Fields.asText(only);
        }
        return Fields.asText(result);
    }

    private static List<ToolSpec> tools(JsonNode array) {
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; array != null && i < array.size(); i++) {
            String path = at("tools", i);
            JsonNode tool = array.get(i);
            Fields.requireObject(tool, path);
            String declarationsName = name(tool, "functionDeclarations", "function_declarations");
            JsonNode declarations = Fields.array(tool, declarationsName, path);
            for (int j = 0; declarations != null && j < declarations.size(); j++) {
                String declPath = at(at(path, declarationsName), j);
                JsonNode declaration = declarations.get(j);
                Fields.requireObject(declaration, declPath);
                JsonNode schema = Fields.object(declaration, name(declaration, "parametersJsonSchema", "parameters_json_schema"), declPath);
                if (schema == null) {
                    JsonNode parameters = Fields.object(declaration, "parameters", declPath);
                    schema = parameters == null ? Fields.emptySchema() : lowerTypes(parameters.deepCopy());
                }
                String description = Fields.string(declaration, "description", declPath);
                tools.add(new ToolSpec(Fields.requiredString(declaration, "name", declPath), description == null ? "" : description, schema));
            }
        }
        return tools;
    }

    /** Google's schema subset names types in capitals ("OBJECT"); JSON Schema wants them lower-case. */
    private static JsonNode lowerTypes(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            JsonNode type = object.get("type");
            if (type != null && type.isString()) object.put("type", type.asString().toLowerCase(Locale.ROOT));
            for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator(); it.hasNext(); ) lowerTypes(it.next().getValue());
        } else if (schema instanceof ArrayNode array) {
            for (JsonNode element : array) lowerTypes(element);
        }
        return schema;
    }

    private static ChatOptions.ToolChoice toolChoice(JsonNode root) {
        JsonNode toolConfig = field(root, "toolConfig", "tool_config");
        if (toolConfig == null) return null;
        Fields.requireObject(toolConfig, "toolConfig");
        JsonNode calling = field(toolConfig, "functionCallingConfig", "function_calling_config");
        if (calling == null) return null;
        String path = "toolConfig.functionCallingConfig";
        Fields.requireObject(calling, path);
        String mode = Fields.string(calling, "mode", path);
        JsonNode allowed = Fields.array(calling, name(calling, "allowedFunctionNames", "allowed_function_names"), path);
        if (mode == null) return null;
        return switch (mode) {
            case "AUTO", "VALIDATED", "MODE_UNSPECIFIED" -> ChatOptions.ToolChoice.AUTO;
            case "NONE" -> ChatOptions.ToolChoice.NONE;
            // Only one allowed name can be forced on the other wires; several leave the choice among all tools.
            case "ANY" -> allowed != null && allowed.size() == 1 && allowed.get(0).isString()
                    ? ChatOptions.ToolChoice.tool(allowed.get(0).asString()) : ChatOptions.ToolChoice.REQUIRED;
            default -> throw new BadRequest(path + ".mode", "must be AUTO, ANY, NONE or VALIDATED, not '" + mode + "'");
        };
    }

    private static ChatOptions.ResponseFormat responseFormat(JsonNode config) {
        String mime = Fields.string(config, name(config, "responseMimeType", "response_mime_type"), "generationConfig");
        if (mime == null || !mime.equals("application/json")) return null;
        JsonNode schema = Fields.object(config, name(config, "responseJsonSchema", "response_json_schema"), "generationConfig");
        if (schema == null) {
            JsonNode google = Fields.object(config, name(config, "responseSchema", "response_schema"), "generationConfig");
            if (google != null) schema = lowerTypes(google.deepCopy());
        }
        return schema == null ? ChatOptions.ResponseFormat.JSON_OBJECT : ChatOptions.ResponseFormat.schema(null, schema, false);
    }

    @Override
    public byte[] encode(ChatResponse response, String model) {
        ObjectNode body = chunk(model);
        ArrayNode parts = candidate(body).putObject("content").put("role", "model").putArray("parts");
        if (!response.text().isEmpty() || !response.hasToolCalls()) parts.addObject().put("text", response.text());
        for (ToolCall call : response.toolCalls()) parts.add(functionCallPart(call));
        finish(body, response);
        return Sse.bytes(body);
    }

    static ObjectNode chunk(String model) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.putArray("candidates").addObject().put("index", 0);
        body.put("modelVersion", model);
        return body;
    }

    static ObjectNode candidate(ObjectNode chunk) {
        return (ObjectNode) chunk.withArray("candidates").get(0);
    }

    static ObjectNode functionCallPart(ToolCall call) {
        ObjectNode part = HttpTransport.JSON.createObjectNode();
        part.putObject("functionCall").put("id", Sse.callId(call.id(), "call_")).put("name", call.name())
                .set("args", Fields.argumentsObject(call.argumentsJson()));
        return part;
    }

    /** The finish reason and usage that end an answer (Gemini says STOP after a function call too). */
    static void finish(ObjectNode chunk, ChatResponse response) {
        candidate(chunk).put("finishReason", switch (response.finishReason()) {
            case STOP, TOOL_CALLS -> "STOP";
            case LENGTH -> "MAX_TOKENS";
            case CONTENT_FILTER -> "SAFETY";
            case OTHER -> "OTHER";
        });
        chunk.set("usageMetadata", usage(response.usage()));
    }

    /** promptTokenCount includes the cached tokens, as ensemble's Usage does. */
    static ObjectNode usage(Usage usage) {
        ObjectNode node = HttpTransport.JSON.createObjectNode().put("promptTokenCount", usage.inputTokens())
                .put("candidatesTokenCount", usage.outputTokens()).put("totalTokenCount", usage.totalTokens());
        if (usage.cachedInputTokens() > 0) node.put("cachedContentTokenCount", usage.cachedInputTokens());
        return node;
    }

    @Override
    public StreamEncoder streamEncoder(GatewayRequest request) {
        return new GeminiStream(request.model());
    }

    @Override
    public byte[] error(int httpStatus, String message) {
        return Sse.bytes(errorBody(httpStatus, message));
    }

    /** {@code {"error":{"code","message","status"}}} with Google's status name for the HTTP status. */
    static ObjectNode errorBody(int status, String message) {
        String name = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
        };
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.putObject("error").put("code", status).put("message", message).put("status", name);
        return body;
    }
}
