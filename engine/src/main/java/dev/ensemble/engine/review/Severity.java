package dev.ensemble.engine.review;

import java.util.Locale;
import java.util.Optional;

/** How bad a finding is, least to most; {@link #blocking()} is what fails `ensemble precommit`. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    public boolean blocking() {
        return this.compareTo(HIGH) >= 0;
    }

    public static Severity max(Severity a, Severity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * A severity as a model may write it: the four names in any case, and the words models use
     * instead of them (minor, major, blocker...).
     */
    public static Optional<Severity> parse(String text) {
        if (text == null) return Optional.empty();
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "low", "info", "minor", "trivial", "nit", "note", "suggestion" -> Optional.of(LOW);
            case "medium", "moderate", "warning", "warn", "normal" -> Optional.of(MEDIUM);
            case "high", "major", "error", "serious", "important" -> Optional.of(HIGH);
            case "critical", "blocker", "severe", "fatal" -> Optional.of(CRITICAL);
            default -> Optional.empty();
        };
    }
}
