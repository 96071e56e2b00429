package dev.ensemble.llm.provider;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.http.SseEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google Gemini ({@code POST {base}/v1beta/models/{model}:generateContent}, streamed through
 * {@code :streamGenerateContent?alt=sse}). The base URL has no version segment
 * ({@code https://generativelanguage.googleapis.com}); the key travels in {@code x-goog-api-key}.
 *
 * <p>Gemini usually sends no tool call ids, so calls get generated ones (which are never sent
 * back) and results are matched to calls by tool name and order. A stream has no final event:
 * one that ends before a chunk with a finishReason was cut. Gemini says STOP after a function
 * call too; that is reported as {@link FinishReason#TOOL_CALLS}.
 */
public final class GeminiChatModel extends HttpChatModel {
    /** Marks ids made here, so that they are not sent to a server that never saw them. */
    static final String GENERATED_ID_PREFIX = "gemini-call-";

    public GeminiChatModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        super(spec, provider, http, apiKey);
    }

    @Override
    protected ChatResponse call(ChatRequest request) {
        JsonNode body;
        try {
            body = http.postJson(url(":generateContent"), headers(), body(request));
        } catch (ModelException e) {
            throw badKeyIsAuth(e);
        }
        if (body.has("error")) throw error(body.path("error"));
        Answer answer = new Answer();
        answer.read(body, delta -> { });
        if (answer.finish == null && !body.path("candidates").isArray()) {
            if (!body.path("promptFeedback").path("blockReason").isString()) throw malformed("answer has no candidates");
            answer.finish = "PROMPT_BLOCKED";
        }
        return answer.response();
    }

    @Override
    protected ChatResponse stream(ChatRequest request, StreamListener listener) {
        Answer answer = new Answer();
        try {
            http.postSse(url(":streamGenerateContent?alt=sse"), headers(), body(request), (SseEvent event) -> {
                JsonNode chunk;
                try {
                    chunk = HttpTransport.JSON.readTree(event.data());
                } catch (JacksonException e) {
                    throw malformed("stream chunk is not valid JSON");
                }
                if (chunk.has("error")) throw error(chunk.path("error"));
                answer.read(chunk, listener);
                if (chunk.path("promptFeedback").path("blockReason").isString()) answer.finish = "PROMPT_BLOCKED";
            });
        } catch (ModelException e) {
            throw badKeyIsAuth(e);
        }
        if (answer.finish == null) throw streamCut("a chunk with a finishReason");
        return answer.response();
    }

    /** A whole answer or the chunks of a stream, read the same way: each chunk adds parts and may end it. */
    private final class Answer {
        final StringBuilder text = new StringBuilder();
        final List<ToolCall> calls = new ArrayList<>();
        String finish;
        Usage usage = Usage.ZERO;

        void read(JsonNode chunk, StreamListener listener) {
            JsonNode candidate = chunk.path("candidates").path(0);
            for (JsonNode part : candidate.path("content").path("parts")) {
                // Thought summaries are not part of the answer.
                if (part.path("thought").asBoolean(false)) continue;
                if (part.path("text").isString()) {
                    String piece = part.path("text").asString();
                    text.append(piece);
                    if (!piece.isEmpty()) listener.onText(piece);
                }
                JsonNode functionCall = part.path("functionCall");
                if (functionCall.isObject()) {
                    String id = functionCall.path("id").asString("");
                    if (id.isEmpty()) id = GENERATED_ID_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
                    JsonNode args = functionCall.path("args");
                    ToolCall call = new ToolCall(id, functionCall.path("name").asString(""),
                            args.isMissingNode() || args.isNull() ? "{}" : args.isString() ? args.asString() : args.toString());
                    calls.add(call);
                    listener.onToolCall(call);
                }
            }
            if (candidate.path("finishReason").isString()) finish = candidate.path("finishReason").asString();
            if (chunk.path("usageMetadata").isObject()) usage = usage(chunk.path("usageMetadata"));
        }

        ChatResponse response() {
            return new ChatResponse(text.toString(), calls, finishReason(finish == null ? "" : finish, !calls.isEmpty()),
                    usage, spec.id(), null, null, List.of());
        }
    }

    /** {@code {base}/v1beta/models/{model}{method}}; a base that already ends in a version segment is kept as it is. */
    private URI url(String method) {
        String model = spec.wireName().startsWith("models/") ? spec.wireName().substring("models/".length()) : spec.wireName();
        String base = provider.baseUrl().replaceAll("/+$", "");
        boolean versioned = base.endsWith("/v1beta") || base.endsWith("/v1");
        return endpoint((versioned ? "" : "/v1beta") + "/models/" + model + method);
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (apiKey() != null) headers.put("x-goog-api-key", apiKey());
        return headers;
    }

    private ObjectNode body(ChatRequest request) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        List<String> system = new ArrayList<>();
        Turns turns = new Turns();
        for (ChatMessage message : request.messages()) {
            switch (message) {
                case ChatMessage.System s -> system.add(s.text());
                case ChatMessage.User u -> turns.add("user", textPart(u.text()));
                case ChatMessage.Assistant a -> {
                    turns.add("model", textPart(a.text()));
                    for (ToolCall call : a.toolCalls()) {
                        ObjectNode functionCall = HttpTransport.JSON.createObjectNode().put("name", call.name());
                        if (!call.id().startsWith(GENERATED_ID_PREFIX) && !call.id().isEmpty()) functionCall.put("id", call.id());
                        functionCall.set("args", argsObject(call.argumentsJson()));
                        turns.add("model", HttpTransport.JSON.createObjectNode().set("functionCall", functionCall));
                    }
                }
                case ChatMessage.ToolResult r -> {
                    ObjectNode functionResponse = HttpTransport.JSON.createObjectNode().put("name", r.toolName());
                    if (!r.callId().startsWith(GENERATED_ID_PREFIX) && !r.callId().isEmpty()) functionResponse.put("id", r.callId());
                    functionResponse.set("response", response(r));
                    turns.add("user", HttpTransport.JSON.createObjectNode().set("functionResponse", functionResponse));
                }
            }
        }
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", String.join("\n\n", system));
        }
        body.set("contents", turns.contents);
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolSpec tool : request.tools()) {
                // parametersJsonSchema takes any JSON Schema; `parameters` refuses keys such as additionalProperties.
                declarations.addObject().put("name", tool.name()).put("description", tool.description())
                        .set("parametersJsonSchema", tool.parameters());
            }
        }
        ObjectNode config = body.putObject("generationConfig");
        config.put("maxOutputTokens", maxOutputTokens(request));
        if (request.temperature() != null) config.put("temperature", request.temperature());
        putOptions(body, config, request);
        return body;
    }

    /** toolConfig (only with tools), stopSequences and the JSON response type and schema. */
    private static void putOptions(ObjectNode body, ObjectNode config, ChatRequest request) {
        ChatOptions options = request.options();
        ChatOptions.ToolChoice choice = options.toolChoice();
        if (choice != null && !request.tools().isEmpty()) {
            ObjectNode calling = body.putObject("toolConfig").putObject("functionCallingConfig");
            switch (choice.mode()) {
                case AUTO -> calling.put("mode", "AUTO");
                case NONE -> calling.put("mode", "NONE");
                case REQUIRED -> calling.put("mode", "ANY");
                case TOOL -> calling.put("mode", "ANY").putArray("allowedFunctionNames").add(choice.toolName());
            }
        }
        if (!options.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            options.stop().forEach(stop::add);
        }
        if (options.responseFormat() != null) {
            config.put("responseMimeType", "application/json");
            // responseJsonSchema takes any JSON Schema; responseSchema only Google's OpenAPI subset.
            if (options.responseFormat().hasSchema()) config.set("responseJsonSchema", options.responseFormat().schema());
        }
    }

    /**
     * A tool result as the object the API wants: a JSON object result as it is, other text under
     * "output", a failure under "error" (the keys the API documents).
     */
    private static JsonNode response(ChatMessage.ToolResult result) {
        if (result.isError()) return HttpTransport.JSON.createObjectNode().put("error", result.content());
        try {
            JsonNode parsed = HttpTransport.JSON.readTree(result.content());
            if (parsed.isObject()) return parsed;
        } catch (JacksonException notJson) {
            // plain text
        }
        return HttpTransport.JSON.createObjectNode().put("output", result.content());
    }

    private static ObjectNode textPart(String text) {
        return text.isEmpty() ? null : HttpTransport.JSON.createObjectNode().put("text", text);
    }

    /** The API wants an object; arguments a model sent as invalid JSON go back as an empty one. */
    private static JsonNode argsObject(String argumentsJson) {
        try {
            JsonNode node = HttpTransport.JSON.readTree(argumentsJson);
            if (node.isObject()) return node;
        } catch (JacksonException e) {
            // fall through
        }
        return HttpTransport.JSON.createObjectNode();
    }

    /**
     * Turns in the order given, consecutive parts of one role merged into one turn, function
     * responses first within a user turn: the API matches them to the calls of the turn before.
     */
    private static final class Turns {
        final ArrayNode contents = HttpTransport.JSON.createArrayNode();
        private String lastRole = "";
        private ArrayNode lastParts;

        void add(String role, ObjectNode part) {
            if (part == null) return;
            if (!role.equals(lastRole)) {
                lastParts = contents.addObject().put("role", role).putArray("parts");
                lastRole = role;
            }
            if (part.has("functionResponse")) {
                int at = 0;
                while (at < lastParts.size() && lastParts.get(at).has("functionResponse")) at++;
                lastParts.insert(at, part);
            } else {
                lastParts.add(part);
            }
        }
    }

    /** promptTokenCount already includes the cached tokens; thinking tokens are billed as output. */
    private static Usage usage(JsonNode usage) {
        long input = usage.path("promptTokenCount").asLong(0) + usage.path("toolUsePromptTokenCount").asLong(0);
        long output = usage.path("candidatesTokenCount").asLong(0) + usage.path("thoughtsTokenCount").asLong(0);
        return new Usage(input, output, usage.path("cachedContentTokenCount").asLong(0));
    }

    /** An error object ({@code {code, message, status}}) in a 200 body or a stream chunk. */
    private ModelException error(JsonNode error) {
        String status = error.path("status").asString("");
        ModelException.Kind kind = switch (status) {
            case "RESOURCE_EXHAUSTED" -> ModelException.Kind.RATE_LIMITED;
            case "UNAVAILABLE" -> ModelException.Kind.OVERLOADED;
            case "UNAUTHENTICATED", "PERMISSION_DENIED" -> ModelException.Kind.AUTH;
            case "NOT_FOUND" -> ModelException.Kind.NOT_FOUND;
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION" -> ModelException.Kind.BAD_REQUEST;
            case "DEADLINE_EXCEEDED" -> ModelException.Kind.TIMEOUT;
            default -> ModelException.Kind.SERVER_ERROR;
        };
        String message = Redactor.global().redact(error.path("message").asString(""));
        return new ModelException(kind, who() + ": " + kind.label() + " (" + status + "): " + message);
    }

    /** Gemini answers a wrong key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not 401. */
    private static ModelException badKeyIsAuth(ModelException e) {
        String message = String.valueOf(e.getMessage());
        if (e.httpStatus() == 400 && (message.contains("API_KEY_INVALID") || message.contains("API key not valid"))) {
            return new ModelException(ModelException.Kind.AUTH, message, false, null, 400, e.partialText(), e);
        }
        return e;
    }

    private static FinishReason finishReason(String reason, boolean calledTools) {
        return switch (reason) {
            case "STOP", "", "FINISH_REASON_UNSPECIFIED" -> calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "PROMPT_BLOCKED" ->
                    FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}
