package dev.ensemble.core;

import java.time.LocalDate;
import java.util.Objects;

/**
 * USD per million tokens, with where and when the price was read, so a stale price is visible.
 * Local models have all prices at zero.
 */
public record Pricing(double inputPerMtok, double outputPerMtok, double cachedInputPerMtok, String source, LocalDate asOf) {
    public static final Pricing FREE = new Pricing(0, 0, 0, "local model", LocalDate.of(2026, 1, 1));

    public Pricing {
        if (inputPerMtok < 0 || outputPerMtok < 0 || cachedInputPerMtok < 0) {
            throw new IllegalArgumentException("prices cannot be negative");
        }
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(asOf, "asOf");
    }

    /** Cost in USD; cached input tokens are billed at the cached price instead of the input price. */
    public double costUsd(Usage usage) {
        long uncached = Math.max(0, usage.inputTokens() - usage.cachedInputTokens());
        return (uncached * inputPerMtok + usage.cachedInputTokens() * cachedInputPerMtok
                + usage.outputTokens() * outputPerMtok) / 1_000_000.0;
    }
}
