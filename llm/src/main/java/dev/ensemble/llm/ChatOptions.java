package dev.ensemble.llm;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * What a caller may ask of a model beyond the conversation and its tools: which tool to call, an
 * answer in JSON, and where to stop. Every field is optional ({@link #NONE} asks for nothing);
 * each provider sends what its wire knows and documents what it cannot.
 *
 * @param toolChoice null for the provider's default (auto)
 * @param responseFormat null for plain text
 * @param stop stop sequences, empty for none
 */
public record ChatOptions(ToolChoice toolChoice, ResponseFormat responseFormat, List<String> stop) {
    public static final ChatOptions NONE = new ChatOptions(null, null, List.of());

    public ChatOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public boolean isNone() {
        return toolChoice == null && responseFormat == null && stop.isEmpty();
    }

    public ChatOptions withToolChoice(ToolChoice choice) {
        return new ChatOptions(choice, responseFormat, stop);
    }

    public ChatOptions withResponseFormat(ResponseFormat format) {
        return new ChatOptions(toolChoice, format, stop);
    }

    public ChatOptions withStop(List<String> sequences) {
        return new ChatOptions(toolChoice, responseFormat, sequences);
    }

    /** Whether and which tool the model must call. */
    public record ToolChoice(Mode mode, String toolName) {
        public enum Mode {
            /** The model decides. */
            AUTO,
            /** No tool call, even with tools present. */
            NONE,
            /** Some tool call (OpenAI "required", Anthropic "any", Gemini ANY). */
            REQUIRED,
            /** This one tool ({@link #toolName()}). */
            TOOL
        }

        public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
        public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
        public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

        public ToolChoice {
            Objects.requireNonNull(mode, "mode");
            if (mode == Mode.TOOL && (toolName == null || toolName.isBlank())) {
                throw new IllegalArgumentException("a tool choice of one tool needs its name");
            }
        }

        public static ToolChoice tool(String name) {
            return new ToolChoice(Mode.TOOL, name);
        }
    }

    /**
     * An answer in JSON: any object ({@code schema} null), or one matching {@code schema}
     * ({@code name} is the schema's name where the wire wants one).
     */
    public record ResponseFormat(JsonNode schema, String name, boolean strict) {
        public static final ResponseFormat JSON_OBJECT = new ResponseFormat(null, null, false);

        public static ResponseFormat schema(String name, JsonNode schema, boolean strict) {
            return new ResponseFormat(Objects.requireNonNull(schema, "schema"), name, strict);
        }

        public boolean hasSchema() {
            return schema != null;
        }

        /** The schema's name, or a neutral one for wires that require a name. */
        public String nameOr(String fallback) {
            return name == null || name.isBlank() ? fallback : name;
        }
    }
}
