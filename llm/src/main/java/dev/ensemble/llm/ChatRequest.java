package dev.ensemble.llm;

import java.util.List;
import java.util.Objects;

/**
 * A provider-neutral request. {@code maxOutputTokens} 0 means the model's catalog maximum (capped
 * by the provider where it requires a value); {@code temperature} null means the provider default.
 */
public record ChatRequest(List<ChatMessage> messages, List<ToolSpec> tools, int maxOutputTokens, Double temperature,
                          CallContext context) {
    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(context, "context");
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat request needs at least one message");
        if (maxOutputTokens < 0) throw new IllegalArgumentException("max output tokens cannot be negative");
    }

    public static ChatRequest of(ChatMessage... messages) {
        return new ChatRequest(List.of(messages), List.of(), 0, null, CallContext.NONE);
    }

    public static ChatRequest of(List<ChatMessage> messages) {
        return new ChatRequest(messages, List.of(), 0, null, CallContext.NONE);
    }

    public ChatRequest withTools(List<ToolSpec> newTools) {
        return new ChatRequest(messages, newTools, maxOutputTokens, temperature, context);
    }

    public ChatRequest withMaxOutputTokens(int newMax) {
        return new ChatRequest(messages, tools, newMax, temperature, context);
    }

    public ChatRequest withTemperature(Double newTemperature) {
        return new ChatRequest(messages, tools, maxOutputTokens, newTemperature, context);
    }

    public ChatRequest withContext(CallContext newContext) {
        return new ChatRequest(messages, tools, maxOutputTokens, temperature, newContext);
    }

    public ChatRequest withMessages(List<ChatMessage> newMessages) {
        return new ChatRequest(newMessages, tools, maxOutputTokens, temperature, context);
    }

    /** The text of the last user message, or "" when there is none. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof ChatMessage.User user) return user.text();
        }
        return "";
    }
}
