package dev.ensemble.testkit;

import java.util.Objects;

/** What a scripted model answers: text, or a call of a tool with JSON arguments. */
public sealed interface Reply {

    record Text(String text) implements Reply {
        public Text { Objects.requireNonNull(text, "text"); }
    }

    record ToolCall(String name, String argumentsJson) implements Reply {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            argumentsJson = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        }
    }

    static Reply text(String text) { return new Text(text); }

    static Reply toolCall(String name, String argumentsJson) { return new ToolCall(name, argumentsJson); }
}
