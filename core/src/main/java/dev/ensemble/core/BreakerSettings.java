package dev.ensemble.core;

import java.time.Duration;

/** A model's circuit opens after {@code failureThreshold} failures in a row and stays open for {@code openFor}. */
public record BreakerSettings(int failureThreshold, Duration openFor) {
    public static final BreakerSettings DEFAULT = new BreakerSettings(5, Duration.ofSeconds(30));

    public BreakerSettings {
        if (failureThreshold < 1) throw new IllegalArgumentException("failure threshold must be at least 1");
    }
}
