package dev.ensemble.core;

import java.time.Duration;

/**
 * Exponential backoff with jitter: attempt n waits {@code initialBackoff * multiplier^(n-1)},
 * capped at {@code maxBackoff}, randomised by ±{@code jitter}; a server's Retry-After wins when
 * it asks for longer (up to {@code maxRetryAfter}, beyond which the call fails over instead).
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                            double jitter, Duration maxRetryAfter) {
    public static final RetrySettings DEFAULT = new RetrySettings(3, Duration.ofMillis(500), Duration.ofSeconds(20),
            2.0, 0.2, Duration.ofSeconds(60));

    public RetrySettings {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1");
        if (multiplier < 1) throw new IllegalArgumentException("multiplier must be at least 1");
        if (jitter < 0 || jitter > 1) throw new IllegalArgumentException("jitter must be within 0..1");
    }
}
