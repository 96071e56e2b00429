package dev.ensemble.llm;

import java.util.List;
import java.util.Objects;

/** One message of a conversation, in ensemble's own terms; each provider maps it to its wire format. */
public sealed interface ChatMessage {

    record System(String text) implements ChatMessage {
        public System { Objects.requireNonNull(text, "text"); }
    }

    record User(String text) implements ChatMessage {
        public User { Objects.requireNonNull(text, "text"); }
    }

    /** What the model said: text, tool calls, or both. */
    record Assistant(String text, List<ToolCall> toolCalls) implements ChatMessage {
        public Assistant {
            text = text == null ? "" : text;
            toolCalls = List.copyOf(toolCalls);
        }

        public Assistant(String text) {
            this(text, List.of());
        }
    }

    /** The answer to one tool call, sent back on the next request. */
    record ToolResult(String callId, String toolName, String content, boolean isError) implements ChatMessage {
        public ToolResult {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(toolName, "toolName");
            Objects.requireNonNull(content, "content");
        }
    }

    static ChatMessage system(String text) { return new System(text); }

    static ChatMessage user(String text) { return new User(text); }

    static ChatMessage assistant(String text) { return new Assistant(text); }
}
