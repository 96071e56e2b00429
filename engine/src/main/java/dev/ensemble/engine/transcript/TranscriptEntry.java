package dev.ensemble.engine.transcript;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One line of a transcript: when, what kind of exchange, who (role, model, agent), and what was
 * said. {@code content} is text for a message, a tool's input or a command's output, and the list
 * of messages for a model request; {@code data} holds the rest (tool names, exit codes, usage,
 * latency, session ids), empty when there is nothing more.
 */
public record TranscriptEntry(Instant at, Kind kind, String role, String model, String agent, JsonNode content, ObjectNode data) {

    public enum Kind {
        /** Messages sent to a model. */
        REQUEST,
        /** A model's answer: text, tool calls, usage, latency. */
        RESPONSE,
        /** A model call that failed, or an attempt that broke off with an exception. */
        FAILURE,
        /** The prompt an agent was given. */
        PROMPT,
        /** Text an agent said. */
        MESSAGE,
        /** A tool an agent called. */
        TOOL_USE,
        /** What a tool call returned to the agent's model. */
        TOOL_RESULT,
        /** A shell command an agent ran. */
        COMMAND,
        /** An error an agent or its model reported. */
        ERROR,
        /** An agent's output line that could not be parsed. */
        RAW,
        /** The agent's session id, as soon as it was known (what a resume after a crash uses). */
        SESSION,
        /** How an agent run ended: status, usage, cost, session id. */
        RESULT,
        /** What the attempt came to after the enforcer, the judge and the merge. */
        OUTCOME,
        /** The file already held an earlier, interrupted try of the same attempt: what follows is the resumed one. */
        RESUMED,
        /** A note from ensemble itself, such as which attempt a review is about. */
        NOTE,
        /** One upstream request a CLI agent made through the gateway (its ledger row: model, tokens, cost, outcome). */
        MODEL_CALL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TranscriptEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        role = role == null ? "" : role;
        model = model == null ? "" : model;
        agent = agent == null ? "" : agent;
        content = content == null ? JsonNodeFactory.instance.stringNode("") : content;
        data = data == null ? JsonNodeFactory.instance.objectNode() : data;
    }

    /** An entry whose content is text. */
    public static TranscriptEntry text(Instant at, Kind kind, String role, String model, String agent, String text, ObjectNode data) {
        return new TranscriptEntry(at, kind, role, model, agent, JsonNodeFactory.instance.stringNode(text == null ? "" : text), data);
    }

    /** A fresh object for {@link #data()}. */
    public static ObjectNode newData() {
        return JsonNodeFactory.instance.objectNode();
    }
}
