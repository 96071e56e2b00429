package dev.ensemble.llm;

import java.util.List;
import java.util.Objects;

/**
 * A provider-neutral request. {@code maxOutputTokens} 0 means the model's catalog maximum (capped
 * by the provider where it requires a value); {@code temperature} null means the provider default;
 * {@code options} (tool choice, JSON mode, stop sequences) {@link ChatOptions#NONE} asks for nothing.
 */
public record ChatRequest(List<ChatMessage> messages, List<ToolSpec> tools, int maxOutputTokens, Double temperature,
                          CallContext context, ChatOptions options) {
    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(context, "context");
        options = options == null ? ChatOptions.NONE : options;
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat request needs at least one message");
        if (maxOutputTokens < 0) throw new IllegalArgumentException("max output tokens cannot be negative");
    }

    /** A request with no options, as every caller made one before options existed. */
    public ChatRequest(List<ChatMessage> messages, List<ToolSpec> tools, int maxOutputTokens, Double temperature,
                       CallContext context) {
        this(messages, tools, maxOutputTokens, temperature, context, ChatOptions.NONE);
    }

    public static ChatRequest of(ChatMessage... messages) {
        return new ChatRequest(List.of(messages), List.of(), 0, null, CallContext.NONE);
    }

    public static ChatRequest of(List<ChatMessage> messages) {
        return new ChatRequest(messages, List.of(), 0, null, CallContext.NONE);
    }

    public ChatRequest withTools(List<ToolSpec> newTools) {
        return new ChatRequest(messages, newTools, maxOutputTokens, temperature, context, options);
    }

    public ChatRequest withMaxOutputTokens(int newMax) {
        return new ChatRequest(messages, tools, newMax, temperature, context, options);
    }

    public ChatRequest withTemperature(Double newTemperature) {
        return new ChatRequest(messages, tools, maxOutputTokens, newTemperature, context, options);
    }

    public ChatRequest withContext(CallContext newContext) {
        return new ChatRequest(messages, tools, maxOutputTokens, temperature, newContext, options);
    }

    public ChatRequest withMessages(List<ChatMessage> newMessages) {
        return new ChatRequest(newMessages, tools, maxOutputTokens, temperature, context, options);
    }

    public ChatRequest withOptions(ChatOptions newOptions) {
        return new ChatRequest(messages, tools, maxOutputTokens, temperature, context, newOptions);
    }

    /** The text of the last user message, or "" when there is none. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof ChatMessage.User user) return user.text();
        }
        return "";
    }
}
