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
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama's native chat API ({@code POST {base}/api/chat}; the base URL has no {@code /v1}).
 * Streams are newline-delimited JSON ending in a {@code done:true} line. Ollama gives tool calls
 * no ids, so they get {@code call_0}, {@code call_1}... in the order of the answer, and results go
 * back by tool name. Ollama reports no prompt-cache count: cached input tokens are always 0.
 */
public final class OllamaChatModel extends HttpChatModel {

    public OllamaChatModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        super(spec, provider, http, apiKey);
    }

    @Override
    protected ChatResponse call(ChatRequest request) {
        JsonNode body = http.postJson(endpoint("/api/chat"), bearerAuth(), body(request, false));
        if (body.has("error")) throw inlineError(body.path("error"));
        if (!body.path("message").isObject()) throw malformed("answer has no message");
        List<ToolCall> calls = new ArrayList<>();
        addToolCalls(body.path("message"), calls);
        String text = body.path("message").path("content").asString("");
        return new ChatResponse(text, calls, finishReason(body.path("done_reason").asString(""), !calls.isEmpty()),
                usage(body), spec.id(), null, null, List.of());
    }

    @Override
    protected ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamState state = new StreamState();
        http.postNdjson(endpoint("/api/chat"), bearerAuth(), body(request, true), line -> state.accept(line, listener));
        if (state.last == null) throw streamCut("the final done:true line");
        for (ToolCall call : state.calls) listener.onToolCall(call);
        return new ChatResponse(state.text.toString(), state.calls,
                finishReason(state.last.path("done_reason").asString(""), !state.calls.isEmpty()), usage(state.last),
                spec.id(), null, null, List.of());
    }

    private final class StreamState {
        final StringBuilder text = new StringBuilder();
        final List<ToolCall> calls = new ArrayList<>();
        JsonNode last;

        void accept(String line, StreamListener listener) {
            JsonNode chunk;
            try {
                chunk = HttpTransport.JSON.readTree(line);
            } catch (JacksonException e) {
                throw malformed("stream line is not valid JSON");
            }
            if (chunk.has("error")) throw inlineError(chunk.path("error"));
            JsonNode message = chunk.path("message");
            String piece = message.path("content").asString("");
            if (!piece.isEmpty()) {
                text.append(piece);
                listener.onText(piece);
            }
            addToolCalls(message, calls);
            if (chunk.path("done").asBoolean(false)) last = chunk;
        }
    }

    /** Ollama sends each tool call whole; ids continue from the calls already collected. */
    private static void addToolCalls(JsonNode message, List<ToolCall> calls) {
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            JsonNode arguments = function.path("arguments");
            String json = arguments.isString() ? arguments.asString()
                    : arguments.isMissingNode() || arguments.isNull() ? "{}" : HttpTransport.JSON.writeValueAsString(arguments);
            // Newer Ollama versions may send an id; keep it when present.
            String id = call.path("id").asString("");
            calls.add(new ToolCall(id.isEmpty() ? "call_" + calls.size() : id, function.path("name").asString(""), json));
        }
    }

    private ModelException inlineError(JsonNode error) {
        String message = error.isString() ? error.asString() : error.path("message").asString(error.toString());
        return new ModelException(ModelException.Kind.SERVER_ERROR, who() + ": error in answer: " + message);
    }

    private ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.put("model", spec.wireName());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            switch (message) {
                case ChatMessage.System s -> messages.addObject().put("role", "system").put("content", s.text());
                case ChatMessage.User u -> messages.addObject().put("role", "user").put("content", u.text());
                case ChatMessage.Assistant a -> {
                    ObjectNode node = messages.addObject().put("role", "assistant").put("content", a.text());
                    if (!a.toolCalls().isEmpty()) {
                        ArrayNode calls = node.putArray("tool_calls");
                        for (ToolCall call : a.toolCalls()) {
                            calls.addObject().putObject("function").put("name", call.name())
                                    .set("arguments", argumentsObject(call.argumentsJson()));
                        }
                    }
                }
                case ChatMessage.ToolResult r -> messages.addObject().put("role", "tool")
                        .put("content", r.content()).put("tool_name", r.toolName());
            }
        }
        // Ollama has no tool_choice: "none" is kept by not offering the tools; a required call cannot be forced.
        boolean noTools = request.options().toolChoice() != null
                && request.options().toolChoice().mode() == ChatOptions.ToolChoice.Mode.NONE;
        if (!request.tools().isEmpty() && !noTools) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                tools.addObject().put("type", "function").putObject("function")
                        .put("name", tool.name()).put("description", tool.description()).set("parameters", tool.parameters());
            }
        }
        // Always explicit: Ollama streams when "stream" is absent.
        body.put("stream", stream);
        ObjectNode options = body.putObject("options");
        options.put("num_predict", maxOutputTokens(request));
        if (request.temperature() != null) options.put("temperature", request.temperature());
        if (!request.options().stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            request.options().stop().forEach(stop::add);
        }
        ChatOptions.ResponseFormat format = request.options().responseFormat();
        if (format != null && format.hasSchema()) body.set("format", format.schema());
        else if (format != null) body.put("format", "json");
        return body;
    }

    /** Ollama wants tool arguments as an object; text that is not one is sent as it was received. */
    private static JsonNode argumentsObject(String json) {
        try {
            JsonNode node = HttpTransport.JSON.readTree(json);
            if (node.isObject()) return node;
        } catch (JacksonException notJson) {
            // fall through
        }
        return HttpTransport.JSON.getNodeFactory().stringNode(json);
    }

    private static Usage usage(JsonNode answer) {
        return new Usage(answer.path("prompt_eval_count").asLong(0), answer.path("eval_count").asLong(0), 0);
    }

    /** Ollama says "stop" even when the answer is a tool call. */
    private static FinishReason finishReason(String reason, boolean hasToolCalls) {
        if (hasToolCalls) return FinishReason.TOOL_CALLS;
        return switch (reason) {
            case "stop", "" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }
}
