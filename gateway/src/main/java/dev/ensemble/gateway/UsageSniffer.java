package dev.ensemble.gateway;

import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/**
 * Reads, without changing them, the bytes a provider sends back on the byte-for-byte path: the
 * usage it reports (for the ledger and budgets) and whether its stream reached the wire's final
 * event (a stream that ends before it was cut, even when the connection closed cleanly).
 * Only lines that mention usage or the end are parsed, so passing bytes through stays cheap.
 */
final class UsageSniffer {
    private final WireProtocol wire;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long input;
    private long output;
    private long cached;
    private boolean finished;

    UsageSniffer(WireProtocol wire) {
        this.wire = wire;
    }

    /** A whole (non-streamed) JSON answer. */
    void whole(byte[] body) {
        read(new String(body, StandardCharsets.UTF_8));
        finished = true;
    }

    /** The next bytes of an event stream, split anywhere: copied a line's run at a time, not byte by byte. */
    void chunk(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int from = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] != '\n') continue;
            line.write(bytes, from, i - from);
            lineDone();
            from = i + 1;
        }
        if (from < end) line.write(bytes, from, end - from);
    }

    /** The stream ended: a last line without its line end is read too (a provider's {@code data: [DONE]} at the very end). */
    void end() {
        lineDone();
    }

    Usage usage() {
        return new Usage(input, output, Math.min(cached, input));
    }

    boolean finished() {
        return finished;
    }

    private void lineDone() {
        if (line.size() == 0) return;
        String text = line.toString(StandardCharsets.UTF_8).trim();
        line.reset();
        if (!text.startsWith("data:")) return;
        String data = text.substring(5).trim();
        if (data.equals("[DONE]")) {
            finished = true;
            return;
        }
        if (endsStream(data)) finished = true;
        read(data);
    }

    private boolean endsStream(String data) {
        return switch (wire) {
            case ANTHROPIC -> data.contains("\"message_stop\"");
            case OPENAI_RESPONSES -> data.contains("\"response.completed\"") || data.contains("\"response.incomplete\"")
                    || data.contains("\"response.failed\"");
            case GEMINI -> data.contains("\"finishReason\"");
            case OPENAI_CHAT, OLLAMA -> false;
        };
    }

    private void read(String json) {
        if (!json.contains("sage")) return;
        JsonNode node;
        try {
            node = HttpTransport.JSON.readTree(json);
        } catch (RuntimeException notJson) {
            return;
        }
        for (JsonNode usage : new JsonNode[] {node.path("usage"), node.path("message").path("usage"),
                node.path("response").path("usage"), node.path("usageMetadata")}) {
            if (!usage.isObject()) continue;
            input = Math.max(input, first(usage, "prompt_tokens", "input_tokens", "promptTokenCount"));
            output = Math.max(output, first(usage, "completion_tokens", "output_tokens", "candidatesTokenCount"));
            cached = Math.max(cached, Math.max(Math.max(usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
                    usage.path("input_tokens_details").path("cached_tokens").asLong(0)),
                    Math.max(usage.path("cache_read_input_tokens").asLong(0), usage.path("cachedContentTokenCount").asLong(0))));
            if (wire == WireProtocol.ANTHROPIC) {
                // Anthropic counts cache reads apart from input_tokens; ensemble's input includes them.
                long reads = usage.path("cache_read_input_tokens").asLong(0) + usage.path("cache_creation_input_tokens").asLong(0);
                if (usage.has("input_tokens")) input = Math.max(input, usage.path("input_tokens").asLong(0) + reads);
            }
        }
    }

    private static long first(JsonNode usage, String... names) {
        for (String name : names) {
            if (usage.has(name)) return usage.path(name).asLong(0);
        }
        return 0;
    }
}
