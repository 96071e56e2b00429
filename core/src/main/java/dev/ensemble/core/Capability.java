package dev.ensemble.core;

import java.util.Objects;

/**
 * A 0–10 score for one task kind and the public benchmark it was derived from. A score ensemble
 * made up for a model it found but does not know (an Ollama model outside the catalog) has a
 * benchmark text starting with {@link #GUESSED}, so every listing can say it was guessed.
 */
public record Capability(double score, String benchmark) {
    public static final String GUESSED = "guessed ";

    public Capability {
        if (score < 0 || score > 10) throw new IllegalArgumentException("capability score must be within 0..10, was " + score);
        Objects.requireNonNull(benchmark, "benchmark");
    }

    /** Whether the score is ensemble's guess rather than read from a benchmark of this very model. */
    public boolean guessed() {
        return benchmark.startsWith(GUESSED);
    }
}
