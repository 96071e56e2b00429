package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Base of the parsers for CLIs that print one JSON object per line; any other line is kept as Raw. */
abstract class JsonLineParser implements OutputParser {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    protected final RunSummary summary = new RunSummary();

    @Override
    public final List<AgentEvent> accept(String line, Instant at) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) return List.of();
        JsonNode node = null;
        if (trimmed.startsWith("{")) {
            try {
                node = JSON.readTree(trimmed);
            } catch (JacksonException e) {
                node = null;
            }
        }
        if (node == null || !node.isObject()) {
            summary.unparsed(trimmed);
            return List.of(new AgentEvent.Raw(at, line));
        }
        summary.parsed();
        List<AgentEvent> events = new ArrayList<>();
        onJson(node, at, events);
        return events;
    }

    @Override
    public final RunSummary summary() {
        return summary;
    }

    /** Handles one JSON object of the CLI's stream. */
    protected abstract void onJson(JsonNode event, Instant at, List<AgentEvent> out);

    /** JSON values as the text a transcript shows: strings as they are, anything else as JSON. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) return "";
        return node.isString() ? node.asString() : node.toString();
    }

    static long count(JsonNode node) {
        return node == null || !node.isNumber() ? 0 : Math.max(0, node.asLong());
    }

    static String clip(String text, int max) {
        if (text == null) return "";
        text = dev.ensemble.core.Redactor.global().redact(text);  // masked before it is cut: a cut key is not recognisable any more
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
