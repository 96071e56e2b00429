package dev.ensemble.core.routing;

import java.util.Objects;

/**
 * How hard a task is for its kind, on the catalog's 0–10 capability scale (a model whose capability
 * score for the kind equals the difficulty is taken to pass about half the time), with the reason
 * ("routine: off-by-one; 9k tokens −0.3 → 4.0").
 */
public record Difficulty(double score, String reason) {
    public Difficulty {
        if (!Double.isFinite(score) || score < 0 || score > 10) throw new IllegalArgumentException("difficulty must be within 0..10, got " + score);
        Objects.requireNonNull(reason, "reason");
    }
}
