package dev.ensemble.llm.provider;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatOptions;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.http.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Responses ({@code POST {base}/responses}; the base URL includes {@code /v1}). System
 * messages become {@code instructions}, tool calls and their results are items of {@code input}
 * of their own, and a stream is typed events ending in {@code response.completed} (or
 * {@code response.incomplete}) that carries the usage. Requests are sent with {@code store:false}:
 * ensemble keeps the conversation itself and resends it, so nothing needs to stay on OpenAI's side.
 */
public final class OpenAiResponsesModel extends HttpChatModel {

    public OpenAiResponsesModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        super(spec, provider, http, apiKey);
    }

    @Override
    protected ChatResponse call(ChatRequest request) {
        JsonNode response = http.postJson(endpoint("/responses"), bearerAuth(), body(request, false));
        if (!response.path("output").isArray()) throw malformed("answer has no output");
        failIfFailed(response);
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode item : response.path("output")) readItem(item, text, calls);
        return new ChatResponse(text.toString(), calls, finishReason(response, !calls.isEmpty()),
                usage(response.path("usage")), spec.id(), null, null, List.of());
    }

    @Override
    protected ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamState state = new StreamState();
        http.postSse(endpoint("/responses"), bearerAuth(), body(request, true), event -> state.accept(event, listener));
        if (state.finalResponse == null) throw streamCut("response.completed");
        JsonNode response = state.finalResponse;
        List<ToolCall> calls = new ArrayList<>();
        for (PartialCall partial : state.calls.values()) calls.add(new ToolCall(partial.callId, partial.name, partial.arguments.toString()));
        // Servers that send only whole items (no deltas) still give a full answer in the final response.
        StringBuilder fromOutput = new StringBuilder();
        List<ToolCall> callsFromOutput = new ArrayList<>();
        for (JsonNode item : response.path("output")) readItem(item, fromOutput, callsFromOutput);
        String text = state.text.toString();
        if (text.isEmpty() && !state.itemText.isEmpty()) text = state.itemText.toString();
        if (text.isEmpty() && !fromOutput.isEmpty()) text = fromOutput.toString();
        if (state.text.isEmpty() && !text.isEmpty()) listener.onText(text);
        if (calls.isEmpty()) calls = callsFromOutput;
        for (ToolCall call : calls) listener.onToolCall(call);
        return new ChatResponse(text, calls, finishReason(response, !calls.isEmpty()), usage(response.path("usage")),
                spec.id(), null, null, List.of());
    }

    private final class StreamState {
        final StringBuilder text = new StringBuilder();
        /** Text of whole message items, for a stream that sent no deltas. */
        final StringBuilder itemText = new StringBuilder();
        final Map<Integer, PartialCall> calls = new TreeMap<>();
        JsonNode finalResponse;

        void accept(SseEvent event, StreamListener listener) {
            JsonNode data;
            try {
                data = HttpTransport.JSON.readTree(event.data());
            } catch (JacksonException e) {
                throw malformed("stream event is not valid JSON");
            }
            String type = data.path("type").asString(event.event());
            int index = data.path("output_index").asInt(calls.size());
            switch (type) {
                case "response.output_text.delta" -> {
                    String piece = data.path("delta").asString("");
                    if (!piece.isEmpty()) {
                        text.append(piece);
                        listener.onText(piece);
                    }
                }
                case "response.output_item.added" -> {
                    JsonNode item = data.path("item");
                    if (item.path("type").asString("").equals("function_call")) calls.put(index, PartialCall.of(item));
                }
                case "response.function_call_arguments.delta" -> {
                    PartialCall partial = calls.get(index);
                    if (partial != null) partial.arguments.append(data.path("delta").asString(""));
                }
                case "response.function_call_arguments.done" -> {
                    PartialCall partial = calls.get(index);
                    if (partial != null && data.path("arguments").isString()) partial.setArguments(data.path("arguments").asString());
                }
                case "response.output_item.done" -> {
                    JsonNode item = data.path("item");
                    switch (item.path("type").asString("")) {
                        case "function_call" -> calls.put(index, PartialCall.of(item));
                        case "message" -> readItem(item, itemText, new ArrayList<>());
                        default -> { /* reasoning items are not part of the answer */ }
                    }
                }
                case "response.completed", "response.incomplete" -> finalResponse = data.path("response");
                case "response.failed" -> {
                    failIfFailed(data.path("response"));
                    throw new ModelException(Kind.SERVER_ERROR, who() + ": response failed");
                }
                case "error" -> {
                    JsonNode error = data.path("error").isObject() ? data.path("error") : data;
                    throw apiError(error);
                }
                default -> { /* created, in_progress, content parts, reasoning summaries: nothing to keep */ }
            }
        }
    }

    private static final class PartialCall {
        String callId = "";
        String name = "";
        final StringBuilder arguments = new StringBuilder();

        static PartialCall of(JsonNode item) {
            PartialCall call = new PartialCall();
            call.callId = item.path("call_id").asString(item.path("id").asString(""));
            call.name = item.path("name").asString("");
            call.arguments.append(item.path("arguments").asString(""));
            return call;
        }

        void setArguments(String whole) {
            arguments.setLength(0);
            arguments.append(whole);
        }
    }

    /** Adds a message item's text or a function_call item to the answer being built. */
    private static void readItem(JsonNode item, StringBuilder text, List<ToolCall> calls) {
        switch (item.path("type").asString("")) {
            case "message" -> {
                for (JsonNode part : item.path("content")) {
                    // A refusal is what the model said; it is shown rather than dropped.
                    String type = part.path("type").asString("");
                    if (type.equals("output_text")) text.append(part.path("text").asString(""));
                    else if (type.equals("refusal")) text.append(part.path("refusal").asString(""));
                }
            }
            case "function_call" -> calls.add(new ToolCall(item.path("call_id").asString(item.path("id").asString("")),
                    item.path("name").asString(""), item.path("arguments").asString("{}")));
            default -> { /* reasoning, web_search_call ...: not part of the answer */ }
        }
    }

    private void failIfFailed(JsonNode response) {
        if (!response.path("status").asString("").equals("failed")) return;
        JsonNode error = response.path("error");
        throw error.isObject() ? apiError(error) : new ModelException(Kind.SERVER_ERROR, who() + ": response failed");
    }

    /** An error reported inside a 200 answer or a stream, classified by its code. */
    private ModelException apiError(JsonNode error) {
        String code = error.path("code").asString(error.path("type").asString(""));
        Kind kind = switch (code) {
            case "rate_limit_exceeded" -> Kind.RATE_LIMITED;
            case "context_length_exceeded" -> Kind.CONTEXT_TOO_LONG;
            case "invalid_prompt", "invalid_request_error" -> Kind.BAD_REQUEST;
            case "insufficient_quota" -> Kind.BUDGET;
            default -> Kind.SERVER_ERROR;
        };
        String message = error.path("message").asString("");
        return new ModelException(kind, who() + ": " + kind.label() + (code.isEmpty() ? "" : " (" + code + ")")
                + (message.isEmpty() ? "" : ": " + message));
    }

    private ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.put("model", spec.wireName());
        StringBuilder instructions = new StringBuilder();
        ArrayNode input = body.putArray("input");
        for (ChatMessage message : request.messages()) {
            switch (message) {
                case ChatMessage.System s -> {
                    if (!instructions.isEmpty()) instructions.append("\n\n");
                    instructions.append(s.text());
                }
                case ChatMessage.User u -> input.addObject().put("type", "message").put("role", "user").put("content", u.text());
                case ChatMessage.Assistant a -> {
                    if (!a.text().isEmpty()) {
                        input.addObject().put("type", "message").put("role", "assistant").put("content", a.text());
                    }
                    for (ToolCall call : a.toolCalls()) {
                        input.addObject().put("type", "function_call").put("call_id", call.id()).put("name", call.name())
                                .put("arguments", call.argumentsJson());
                    }
                }
                case ChatMessage.ToolResult r -> input.addObject().put("type", "function_call_output")
                        .put("call_id", r.callId()).put("output", r.content());
            }
        }
        if (!instructions.isEmpty()) body.put("instructions", instructions.toString());
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                tools.addObject().put("type", "function").put("name", tool.name()).put("description", tool.description())
                        .set("parameters", tool.parameters());
            }
        }
        body.put("max_output_tokens", maxOutputTokens(request));
        if (request.temperature() != null) body.put("temperature", request.temperature());
        putOptions(body, request);
        body.put("store", false);
        body.put("stream", stream);
        return body;
    }

    /**
     * tool_choice (only with tools) and {@code text.format}. The Responses API has no stop
     * sequences: they are not sent (the answer may run past one).
     */
    private static void putOptions(ObjectNode body, ChatRequest request) {
        ChatOptions.ToolChoice choice = request.options().toolChoice();
        if (choice != null && !request.tools().isEmpty()) {
            switch (choice.mode()) {
                case AUTO -> body.put("tool_choice", "auto");
                case NONE -> body.put("tool_choice", "none");
                case REQUIRED -> body.put("tool_choice", "required");
                case TOOL -> body.putObject("tool_choice").put("type", "function").put("name", choice.toolName());
            }
        }
        ChatOptions.ResponseFormat format = request.options().responseFormat();
        if (format != null) {
            ObjectNode text = body.putObject("text").putObject("format");
            if (!format.hasSchema()) text.put("type", "json_object");
            else text.put("type", "json_schema").put("name", format.nameOr("answer")).put("strict", format.strict())
                    .set("schema", format.schema());
        }
    }

    private static Usage usage(JsonNode usage) {
        if (!usage.isObject()) return Usage.ZERO;
        // input_tokens already includes the cached ones.
        return new Usage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                usage.path("input_tokens_details").path("cached_tokens").asLong(0));
    }

    private static FinishReason finishReason(JsonNode response, boolean hasToolCalls) {
        String status = response.path("status").asString("completed");
        if (status.equals("incomplete")) {
            return switch (response.path("incomplete_details").path("reason").asString("")) {
                case "max_output_tokens" -> FinishReason.LENGTH;
                case "content_filter" -> FinishReason.CONTENT_FILTER;
                default -> FinishReason.OTHER;
            };
        }
        return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }
}
