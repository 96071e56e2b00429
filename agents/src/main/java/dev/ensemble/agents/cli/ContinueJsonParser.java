package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Continue's {@code cn -p --format json}: a single JSON object {@code {response, status}} once the
 * agent is done, on one line or spread over several. Lines before it are kept as Raw; the object
 * is recognised on its own line or, failing that, in the whole output at the end.
 */
final class ContinueJsonParser implements OutputParser {
    private final RunSummary summary = new RunSummary();
    private final StringBuilder buffered = new StringBuilder();
    private boolean seen;

    @Override
    public List<AgentEvent> accept(String line, Instant at) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) return List.of();
        if (!seen && trimmed.startsWith("{")) {
            JsonNode node = parse(trimmed);
            if (isAnswer(node)) {
                List<AgentEvent> out = new ArrayList<>();
                answer(node, at, out);
                return out;
            }
        }
        buffered.append(line).append('\n');
        return List.of();
    }

    @Override
    public List<AgentEvent> finish(Instant at) {
        List<AgentEvent> out = new ArrayList<>();
        String all = buffered.toString();
        if (!seen) {
            int start = all.indexOf('{');
            JsonNode node = start < 0 ? null : parse(all.substring(start).strip());
            if (isAnswer(node)) {
                String before = all.substring(0, start);
                before.lines().filter(l -> !l.isBlank()).forEach(l -> raw(l, at, out));
                answer(node, at, out);
                return out;
            }
        }
        all.lines().filter(l -> !l.isBlank()).forEach(l -> raw(l, at, out));
        return out;
    }

    @Override
    public RunSummary summary() {
        return summary;
    }

    private void raw(String line, Instant at, List<AgentEvent> out) {
        if (!seen) summary.unparsed(line.strip());
        out.add(new AgentEvent.Raw(at, line));
    }

    private void answer(JsonNode node, Instant at, List<AgentEvent> out) {
        seen = true;
        summary.parsed();
        summary.finished(true);
        String response = node.path("response").asString("");
        summary.finalMessage(response);
        if (!response.isBlank()) out.add(new AgentEvent.Message(at, response));
        String status = node.path("status").asString("success");
        if (!status.equals("success")) {
            String error = node.path("error").asString("");
            String message = "status " + status + (error.isBlank() ? (response.isBlank() ? "" : ": " + response) : ": " + error);
            summary.error(message);
            out.add(new AgentEvent.Error(at, message));
        }
    }

    private static boolean isAnswer(JsonNode node) {
        return node != null && node.isObject() && (node.has("response") || node.has("status"));
    }

    private static JsonNode parse(String text) {
        try {
            return JsonLineParser.JSON.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }
}
