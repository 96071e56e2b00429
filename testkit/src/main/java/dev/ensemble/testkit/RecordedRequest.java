package dev.ensemble.testkit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the scripted server received, for assertions. {@code rule} is the name of the rule
 * that answered ("" for an unnamed one, "default" when none matched); {@code parsed} is null for
 * requests no dialect understood.
 */
public record RecordedRequest(Instant receivedAt, String method, String path, String query,
                              Map<String, List<String>> headers, String body, ParsedRequest parsed, String rule,
                              int status) {

    public String header(String name) {
        for (var entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) return entry.getValue().get(0);
        }
        return null;
    }

    public String protocol() {
        return parsed == null ? "" : parsed.protocol();
    }

    public String model() {
        return parsed == null ? "" : parsed.model();
    }
}
