package dev.ensemble.core;

import java.util.Objects;

/** A 0–10 score for one task kind and the public benchmark it was derived from. */
public record Capability(double score, String benchmark) {
    public Capability {
        if (score < 0 || score > 10) throw new IllegalArgumentException("capability score must be within 0..10, was " + score);
        Objects.requireNonNull(benchmark, "benchmark");
    }
}
