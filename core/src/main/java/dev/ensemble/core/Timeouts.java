package dev.ensemble.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on one HTTP call to a model. {@code firstToken} and {@code idle} apply to streamed calls
 * (time to the first byte of the body, and the longest silence between chunks); {@code total}
 * bounds every call, streamed or not.
 */
public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(120),
            Duration.ofSeconds(60), Duration.ofMinutes(10));

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(firstToken, "firstToken");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(total, "total");
    }
}
