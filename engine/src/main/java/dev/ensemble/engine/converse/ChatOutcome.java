package dev.ensemble.engine.converse;

import java.util.Locale;

/** How a {@link DuoChat} ended. Every outcome is a clean end: the transcript holds what was said. */
public enum ChatOutcome {
    /** The reviewer answered with the stop token. */
    APPROVED("approved"),
    /** Every round ran and the reviewer never approved. */
    ROUND_LIMIT("round limit reached"),
    /** A turn took longer than the turn timeout; the chat stopped waiting for it. */
    TIMED_OUT("a turn timed out"),
    /** A turn failed (every model of the role's chain, a budget refusal, an interrupt). */
    FAILED("a turn failed");

    private final String label;

    ChatOutcome(String label) {
        this.label = label;
    }

    /** The transcript's spelling: {@code approved}, {@code round_limit}, {@code timed_out}, {@code failed}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String label() {
        return label;
    }
}
