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
 * OpenAI Chat Completions ({@code POST {base}/chat/completions}), the dialect of OpenAI, DeepSeek,
 * OpenRouter, vLLM and LM Studio. The base URL includes the version segment ({@code .../v1}).
 */
public final class OpenAiChatModel extends HttpChatModel {

    public OpenAiChatModel(ModelSpec spec, ProviderSpec provider, HttpTransport http, Optional<String> apiKey) {
        super(spec, provider, http, apiKey);
    }

    @Override
    protected ChatResponse call(ChatRequest request) {
        JsonNode body = http.postJson(endpoint("/chat/completions"), bearerAuth(), body(request, false));
        JsonNode choice = body.path("choices").path(0);
        if (choice.isMissingNode()) throw malformed("answer has no choices");
        JsonNode message = choice.path("message");
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            calls.add(new ToolCall(call.path("id").asString(""), call.path("function").path("name").asString(""),
                    call.path("function").path("arguments").asString("{}")));
        }
        String text = message.path("content").isString() ? message.path("content").asString() : "";
        return new ChatResponse(text, calls, finishReason(choice.path("finish_reason").asString("")),
                usage(body.path("usage")), spec.id(), null, null, List.of());
    }

    @Override
    protected ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamState state = new StreamState();
        http.postSse(endpoint("/chat/completions"), bearerAuth(), body(request, true), event -> state.accept(event, listener));
        if (!state.done && state.finish == null) throw streamCut("[DONE]");
        List<ToolCall> calls = new ArrayList<>();
        for (PartialCall partial : state.calls.values()) {
            ToolCall call = new ToolCall(partial.id, partial.name, partial.arguments.toString());
            calls.add(call);
            listener.onToolCall(call);
        }
        FinishReason finish = state.finish == null ? FinishReason.STOP : finishReason(state.finish);
        return new ChatResponse(state.text.toString(), calls, finish, state.usage, spec.id(), null, null, List.of());
    }

    private final class StreamState {
        final StringBuilder text = new StringBuilder();
        final Map<Integer, PartialCall> calls = new TreeMap<>();
        String finish;
        Usage usage = Usage.ZERO;
        boolean done;

        void accept(SseEvent event, StreamListener listener) {
            if (event.data().equals("[DONE]")) {
                done = true;
                return;
            }
            JsonNode chunk;
            try {
                chunk = HttpTransport.JSON.readTree(event.data());
            } catch (JacksonException e) {
                throw malformed("stream chunk is not valid JSON");
            }
            if (chunk.has("error")) {
                throw new ModelException(ModelException.Kind.SERVER_ERROR, who() + ": error in stream: "
                        + chunk.path("error").path("message").asString(""));
            }
            if (chunk.path("usage").isObject()) usage = usage(chunk.path("usage"));
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode delta = choice.path("delta");
                if (delta.path("content").isString()) {
                    String piece = delta.path("content").asString();
                    text.append(piece);
                    listener.onText(piece);
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    PartialCall partial = calls.computeIfAbsent(call.path("index").asInt(calls.size()), i -> new PartialCall());
                    if (call.path("id").isString()) partial.id = call.path("id").asString();
                    JsonNode function = call.path("function");
                    if (function.path("name").isString()) partial.name += function.path("name").asString();
                    if (function.path("arguments").isString()) partial.arguments.append(function.path("arguments").asString());
                }
                if (choice.path("finish_reason").isString()) finish = choice.path("finish_reason").asString();
            }
        }
    }

    private static final class PartialCall {
        String id = "";
        String name = "";
        final StringBuilder arguments = new StringBuilder();
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
                    ObjectNode node = messages.addObject().put("role", "assistant");
                    if (a.text().isEmpty() && !a.toolCalls().isEmpty()) node.putNull("content");
                    else node.put("content", a.text());
                    if (!a.toolCalls().isEmpty()) {
                        ArrayNode calls = node.putArray("tool_calls");
                        for (ToolCall call : a.toolCalls()) {
                            ObjectNode c = calls.addObject().put("id", call.id()).put("type", "function");
                            c.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
                        }
                    }
                }
                case ChatMessage.ToolResult r -> messages.addObject().put("role", "tool")
                        .put("tool_call_id", r.callId()).put("content", r.content());
            }
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                tools.addObject().put("type", "function").putObject("function")
                        .put("name", tool.name()).put("description", tool.description()).set("parameters", tool.parameters());
            }
        }
        // OpenAI's reasoning models refuse max_tokens; other servers of this dialect only know max_tokens.
        body.put(provider.name().equals("openai") ? "max_completion_tokens" : "max_tokens", maxOutputTokens(request));
        if (request.temperature() != null) body.put("temperature", request.temperature());
        putOptions(body, request);
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        }
        return body;
    }

    /** tool_choice (only with tools: the API refuses it alone), response_format and stop. */
    private static void putOptions(ObjectNode body, ChatRequest request) {
        ChatOptions options = request.options();
        ChatOptions.ToolChoice choice = options.toolChoice();
        if (choice != null && !request.tools().isEmpty()) {
            switch (choice.mode()) {
                case AUTO -> body.put("tool_choice", "auto");
                case NONE -> body.put("tool_choice", "none");
                case REQUIRED -> body.put("tool_choice", "required");
                case TOOL -> body.putObject("tool_choice").put("type", "function").putObject("function").put("name", choice.toolName());
            }
        }
        ChatOptions.ResponseFormat format = options.responseFormat();
        if (format != null && !format.hasSchema()) body.putObject("response_format").put("type", "json_object");
        if (format != null && format.hasSchema()) {
            ObjectNode schema = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            schema.put("name", format.nameOr("answer")).put("strict", format.strict()).set("schema", format.schema());
        }
        if (!options.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            options.stop().forEach(stop::add);
        }
    }

    private static Usage usage(JsonNode usage) {
        if (!usage.isObject()) return Usage.ZERO;
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        if (cached == 0) cached = usage.path("prompt_cache_hit_tokens").asLong(0); // DeepSeek's name for it
        return new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0), cached);
    }

    private static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "stop", "" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}
