package dev.ensemble.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/** Helpers every dialect needs: text splitting for streams, SSE framing, ids. */
final class DialectSupport {
    private static final AtomicLong IDS = new AtomicLong();

    private DialectSupport() {}

    /** Splits text into word-sized pieces (keeping whitespace) so a stream has several deltas. */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        if (text.isEmpty()) {
            out.add("");
            return out;
        }
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    static String sse(JsonNode data) {
        return "data: " + ScriptedModelServer.JSON.writeValueAsString(data) + "\n\n";
    }

    static String sse(String event, JsonNode data) {
        return "event: " + event + "\n" + sse(data);
    }

    static String id(String prefix) {
        return prefix + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + IDS.incrementAndGet();
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "" : node.isString() ? node.asString() : node.toString();
    }
}
