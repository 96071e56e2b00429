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
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic Messages ({@code POST {base}/v1/messages}). The base URL has no version segment
 * ({@code https://api.anthropic.com}). System prompts go in the top-level {@code system} field,
 * tool results go back as {@code tool_result} blocks of a user turn, and consecutive turns of one
 * role are merged because the API refuses two in a row.
 *
 * <p>Anthropic's {@code input_tokens} leaves out the tokens read from or written to the prompt
 * cache; ensemble's {@link Usage#inputTokens()} counts every input token, so they are added back.
 */
public final class AnthropicChatModel extends HttpChatModel {
    static final String API_VERSION = "2023-06-01";

    public AnthropicChatModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        super(spec, provider, http, apiKey);
    }

    @Override
    protected ChatResponse call(ChatRequest request) {
        JsonNode body = http.postJson(messagesUrl(), headers(), body(request, false));
        if (body.path("type").asString("").equals("error")) throw error(body.path("error"));
        if (!body.path("content").isArray()) throw malformed("answer has no content");
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : body.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> text.append(block.path("text").asString(""));
                case "tool_use" -> calls.add(new ToolCall(block.path("id").asString(""), block.path("name").asString(""),
                        arguments(block.path("input"))));
                default -> { /* thinking and server-side tool blocks are not part of the answer */ }
            }
        }
        return new ChatResponse(text.toString(), calls, finishReason(body.path("stop_reason").asString("")),
                usage(body.path("usage")), spec.id(), null, null, List.of());
    }

    @Override
    protected ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamState state = new StreamState(listener);
        http.postSse(messagesUrl(), headers(), body(request, true), state::accept);
        if (!state.stopped) throw streamCut("message_stop");
        state.finishOpenBlocks();
        return new ChatResponse(state.text.toString(), state.calls, finishReason(state.stopReason),
                new Usage(state.input + state.cacheRead + state.cacheWrite, state.output, state.cacheRead),
                spec.id(), null, null, List.of());
    }

    /** The events of one streamed answer: content blocks by index, usage from message_start and message_delta. */
    private final class StreamState {
        final StreamListener listener;
        final StringBuilder text = new StringBuilder();
        final List<ToolCall> calls = new ArrayList<>();
        final Map<Integer, PartialCall> open = new TreeMap<>();
        String stopReason = "";
        long input;
        long output;
        long cacheRead;
        long cacheWrite;
        boolean stopped;

        StreamState(StreamListener listener) {
            this.listener = listener;
        }

        void accept(SseEvent event) {
            JsonNode data;
            try {
                data = HttpTransport.JSON.readTree(event.data());
            } catch (JacksonException e) {
                throw malformed("stream event is not valid JSON");
            }
            String type = data.path("type").asString(event.event());
            switch (type) {
                case "message_start" -> readUsage(data.path("message").path("usage"));
                case "content_block_start" -> {
                    JsonNode block = data.path("content_block");
                    int index = data.path("index").asInt(open.size());
                    switch (block.path("type").asString("")) {
                        case "text" -> text(block.path("text").asString(""));
                        case "tool_use" -> {
                            PartialCall call = new PartialCall(block.path("id").asString(""), block.path("name").asString(""));
                            // Deltas normally carry the input; a start block with a filled input is the whole of it.
                            JsonNode input = block.path("input");
                            if (input.isObject() && !input.isEmpty()) call.json.append(input);
                            open.put(index, call);
                        }
                        default -> { }
                    }
                }
                case "content_block_delta" -> {
                    JsonNode delta = data.path("delta");
                    switch (delta.path("type").asString("")) {
                        case "text_delta" -> text(delta.path("text").asString(""));
                        case "input_json_delta" -> {
                            PartialCall call = open.get(data.path("index").asInt(-1));
                            if (call == null) throw malformed("input_json_delta for a block that is not a tool_use");
                            call.json.append(delta.path("partial_json").asString(""));
                        }
                        default -> { /* thinking_delta, signature_delta, citations */ }
                    }
                }
                case "content_block_stop" -> finish(open.remove(data.path("index").asInt(-1)));
                case "message_delta" -> {
                    if (data.path("delta").path("stop_reason").isString()) stopReason = data.path("delta").path("stop_reason").asString();
                    readUsage(data.path("usage"));
                }
                case "message_stop" -> stopped = true;
                case "error" -> throw error(data.path("error"));
                default -> { /* ping, and event types added after this was written */ }
            }
        }

        private void text(String piece) {
            if (piece.isEmpty()) return;
            text.append(piece);
            listener.onText(piece);
        }

        /** Counts are cumulative: a later event's value replaces an earlier one. */
        private void readUsage(JsonNode usage) {
            if (usage.has("input_tokens")) input = usage.path("input_tokens").asLong(0);
            if (usage.has("output_tokens")) output = usage.path("output_tokens").asLong(0);
            if (usage.has("cache_read_input_tokens")) cacheRead = usage.path("cache_read_input_tokens").asLong(0);
            if (usage.has("cache_creation_input_tokens")) cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        }

        private void finish(PartialCall partial) {
            if (partial == null) return;
            ToolCall call = new ToolCall(partial.id, partial.name, partial.json.toString());
            calls.add(call);
            listener.onToolCall(call);
        }

        void finishOpenBlocks() {
            for (PartialCall partial : open.values()) finish(partial);
            open.clear();
        }
    }

    private static final class PartialCall {
        final String id;
        final String name;
        final StringBuilder json = new StringBuilder();

        PartialCall(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /** {@code {base}/v1/messages}; a base that already ends in {@code /v1} is kept as it is. */
    private URI messagesUrl() {
        return endpoint(provider.baseUrl().replaceAll("/+$", "").endsWith("/v1") ? "/messages" : "/v1/messages");
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (apiKey() != null) headers.put("x-api-key", apiKey());
        headers.put("anthropic-version", API_VERSION);
        return headers;
    }

    private ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.put("model", spec.wireName());
        body.put("max_tokens", maxOutputTokens(request));
        List<String> system = new ArrayList<>();
        Turns turns = new Turns();
        for (ChatMessage message : request.messages()) {
            switch (message) {
                case ChatMessage.System s -> system.add(s.text());
                case ChatMessage.User u -> turns.add("user", textBlock(u.text()));
                case ChatMessage.Assistant a -> {
                    turns.add("assistant", textBlock(a.text()));
                    for (ToolCall call : a.toolCalls()) {
                        ObjectNode block = HttpTransport.JSON.createObjectNode().put("type", "tool_use").put("id", call.id())
                                .put("name", call.name());
                        block.set("input", inputObject(call.argumentsJson()));
                        turns.add("assistant", block);
                    }
                }
                case ChatMessage.ToolResult r -> turns.add("user", HttpTransport.JSON.createObjectNode().put("type", "tool_result")
                        .put("tool_use_id", r.callId()).put("content", r.content()).put("is_error", r.isError()));
            }
        }
        String jsonInstruction = jsonInstruction(request.options().responseFormat());
        if (jsonInstruction != null) system.add(jsonInstruction);
        if (!system.isEmpty()) body.put("system", String.join("\n\n", system));
        body.set("messages", turns.messages);
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                tools.addObject().put("name", tool.name()).put("description", tool.description())
                        .set("input_schema", tool.parameters());
            }
        }
        if (request.temperature() != null) body.put("temperature", request.temperature());
        putOptions(body, request);
        if (stream) body.put("stream", true);
        return body;
    }

    /** tool_choice (only with tools) and stop_sequences. */
    private static void putOptions(ObjectNode body, ChatRequest request) {
        ChatOptions.ToolChoice choice = request.options().toolChoice();
        if (choice != null && !request.tools().isEmpty()) {
            ObjectNode node = body.putObject("tool_choice");
            switch (choice.mode()) {
                case AUTO -> node.put("type", "auto");
                case NONE -> node.put("type", "none");
                case REQUIRED -> node.put("type", "any");
                case TOOL -> node.put("type", "tool").put("name", choice.toolName());
            }
        }
        if (!request.options().stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            request.options().stop().forEach(stop::add);
        }
    }

    /**
     * Messages has no JSON mode outside a beta, so JSON is asked for in the system prompt: the
     * schema, when there is one, is given to the model there. The answer is not validated.
     */
    static String jsonInstruction(ChatOptions.ResponseFormat format) {
        if (format == null) return null;
        if (!format.hasSchema()) return "Answer with one JSON object and nothing else: no prose, no code fence.";
        return "Answer with one JSON object and nothing else (no prose, no code fence), matching this JSON Schema:\n"
                + format.schema();
    }

    /** The API refuses empty text blocks, so empty text adds nothing. */
    private static ObjectNode textBlock(String text) {
        return text.isEmpty() ? null : HttpTransport.JSON.createObjectNode().put("type", "text").put("text", text);
    }

    /**
     * Turns in the order given, with consecutive blocks of one role merged into one turn. Within a
     * user turn the tool results come first: the API wants them right after the assistant's tool_use.
     */
    private static final class Turns {
        final ArrayNode messages = HttpTransport.JSON.createArrayNode();
        private String lastRole = "";
        private ArrayNode lastContent;

        void add(String role, ObjectNode block) {
            if (block == null) return;
            if (!role.equals(lastRole)) {
                ObjectNode turn = messages.addObject().put("role", role);
                lastContent = turn.putArray("content");
                lastRole = role;
            }
            if (block.path("type").asString("").equals("tool_result")) {
                int at = 0;
                while (at < lastContent.size() && lastContent.get(at).path("type").asString("").equals("tool_result")) at++;
                lastContent.insert(at, block);
            } else {
                lastContent.add(block);
            }
        }
    }

    /** The API wants an object; arguments a model sent as invalid JSON go back as an empty one. */
    private static JsonNode inputObject(String argumentsJson) {
        try {
            JsonNode node = HttpTransport.JSON.readTree(argumentsJson);
            if (node.isObject()) return node;
        } catch (JacksonException e) {
            // fall through
        }
        return HttpTransport.JSON.createObjectNode();
    }

    private static String arguments(JsonNode input) {
        if (input.isString()) return input.asString();
        return input.isMissingNode() || input.isNull() ? "{}" : input.toString();
    }

    private static Usage usage(JsonNode usage) {
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long input = usage.path("input_tokens").asLong(0) + cacheRead + usage.path("cache_creation_input_tokens").asLong(0);
        return new Usage(input, usage.path("output_tokens").asLong(0), cacheRead);
    }

    /** An error object ({@code {type, message}}) sent in a 200 body or as a stream event. */
    private ModelException error(JsonNode error) {
        String type = error.path("type").asString("");
        ModelException.Kind kind = switch (type) {
            case "overloaded_error" -> ModelException.Kind.OVERLOADED;
            case "rate_limit_error" -> ModelException.Kind.RATE_LIMITED;
            case "authentication_error", "permission_error" -> ModelException.Kind.AUTH;
            case "not_found_error" -> ModelException.Kind.NOT_FOUND;
            case "request_too_large" -> ModelException.Kind.CONTEXT_TOO_LONG;
            case "invalid_request_error" -> error.path("message").asString("").contains("prompt is too long")
                    ? ModelException.Kind.CONTEXT_TOO_LONG : ModelException.Kind.BAD_REQUEST;
            default -> ModelException.Kind.SERVER_ERROR;
        };
        String message = Redactor.global().redact(error.path("message").asString(""));
        return new ModelException(kind, who() + ": " + kind.label() + " (" + type + "): " + message);
    }

    private static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "end_turn", "stop_sequence", "" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}
