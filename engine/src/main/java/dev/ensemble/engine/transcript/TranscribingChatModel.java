package dev.ensemble.engine.transcript;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model whose every exchange is kept in a transcript: the request's messages, then the answer
 * (text, tool calls, usage, latency, the attempts that failed before it) or the failure. It sits
 * outside the whole stack (retry, breaker, fallback, ledger), so it sees what the caller sent and
 * got. A conversation that goes on (a repair turn) writes only its new messages, with the number of
 * earlier ones, rather than the whole conversation again.
 */
public final class TranscribingChatModel implements ChatModel {
    private final ChatModel inner;
    private final TranscriptWriter writer;
    private final String role;
    private List<ChatMessage> lastSent = List.of();

    public TranscribingChatModel(ChatModel inner, TranscriptWriter writer, String role) {
        this.inner = inner;
        this.writer = writer;
        this.role = role;
    }

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        request(request);
        long start = System.nanoTime();
        try {
            ChatResponse response = inner.chat(request, listener);
            response(response);
            return response;
        } catch (RuntimeException e) {
            failure(e, Duration.ofNanos(System.nanoTime() - start));
            throw e;
        }
    }

    private void request(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        int earlier = 0;
        synchronized (this) {
            if (!lastSent.isEmpty() && messages.size() > lastSent.size() && messages.subList(0, lastSent.size()).equals(lastSent)) {
                earlier = lastSent.size();
            }
            lastSent = messages;
        }
        ArrayNode content = JsonNodeFactory.instance.arrayNode();
        for (ChatMessage m : messages.subList(earlier, messages.size())) content.add(message(m));
        ObjectNode data = TranscriptEntry.newData();
        if (earlier > 0) data.put("earlier_messages", earlier);
        if (!request.tools().isEmpty()) {
            ArrayNode tools = data.putArray("tools");
            for (ToolSpec tool : request.tools()) tools.add(tool.name());
        }
        if (request.maxOutputTokens() > 0) data.put("max_output_tokens", request.maxOutputTokens());
        if (request.temperature() != null) data.put("temperature", request.temperature());
        CallContext c = request.context();
        if (!c.equals(CallContext.NONE)) {
            data.putObject("context").put("command", c.command()).put("run", c.runId()).put("task", c.taskId()).put("role", c.role())
                    .put("attempt", c.attempt()).put("fallback_step", c.fallbackStep());
        }
        writer.append(new TranscriptEntry(writer.now(), TranscriptEntry.Kind.REQUEST, role, inner.spec().id(), "", content, data));
    }

    private void response(ChatResponse response) {
        ObjectNode data = TranscriptEntry.newData();
        if (response.hasToolCalls()) data.set("tool_calls", toolCalls(response.toolCalls()));
        data.put("finish_reason", response.finishReason().name().toLowerCase(Locale.ROOT));
        usage(data, response.usage());
        data.put("latency_ms", response.latency().toMillis());
        data.put("time_to_first_token_ms", response.timeToFirstToken().toMillis());
        if (!response.failures().isEmpty()) {
            ArrayNode failures = data.putArray("failed_attempts");
            for (FailedAttempt f : response.failures()) {
                failures.addObject().put("model", f.modelId()).put("attempt", f.attempt()).put("fallback_step", f.fallbackStep())
                        .put("kind", f.kind().label()).put("reason", f.reason());
            }
        }
        writer.append(TranscriptEntry.Kind.RESPONSE, role, response.modelId(), "", response.text(), data);
    }

    private void failure(RuntimeException e, Duration elapsed) {
        ObjectNode data = TranscriptEntry.newData();
        if (e instanceof ModelException m) {
            data.put("error_kind", m.kind().label()).put("retryable", m.retryable());
            if (m.httpStatus() > 0) data.put("http_status", m.httpStatus());
            if (!m.partialText().isEmpty()) data.put("partial_text", m.partialText());
        } else {
            data.put("exception", e.getClass().getName());
        }
        data.put("latency_ms", elapsed.toMillis());
        writer.append(TranscriptEntry.Kind.FAILURE, role, inner.spec().id(), "", String.valueOf(e.getMessage()), data);
    }

    static void usage(ObjectNode data, Usage usage) {
        data.putObject("usage").put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())
                .put("cached_input_tokens", usage.cachedInputTokens());
    }

    private static ObjectNode message(ChatMessage message) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        switch (message) {
            case ChatMessage.System s -> node.put("role", "system").put("text", s.text());
            case ChatMessage.User u -> node.put("role", "user").put("text", u.text());
            case ChatMessage.Assistant a -> {
                node.put("role", "assistant").put("text", a.text());
                if (!a.toolCalls().isEmpty()) node.set("tool_calls", toolCalls(a.toolCalls()));
            }
            case ChatMessage.ToolResult r -> node.put("role", "tool").put("call_id", r.callId()).put("tool", r.toolName())
                    .put("text", r.content()).put("is_error", r.isError());
        }
        return node;
    }

    private static ArrayNode toolCalls(List<ToolCall> calls) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (ToolCall call : calls) out.addObject().put("id", call.id()).put("name", call.name()).put("arguments", call.argumentsJson());
        return out;
    }
}
