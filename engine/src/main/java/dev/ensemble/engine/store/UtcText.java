package dev.ensemble.engine.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as the store keeps them: UTC ISO-8601 with exactly three fraction digits. Fixed width
 * makes text order time order, and the first ten characters the UTC day, in SQLite and PostgreSQL alike.
 */
public final class UtcText {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private UtcText() {}

    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    public static Instant parse(String text) {
        return Instant.parse(text);
    }
}
