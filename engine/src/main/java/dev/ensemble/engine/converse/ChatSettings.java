package dev.ensemble.engine.converse;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link DuoChat} runs.
 *
 * @param rounds      the most rounds; one round is an implementer turn and a reviewer turn
 * @param stopToken   what the reviewer writes, on a line of its own, when it is satisfied
 * @param turnTimeout how long one turn may take before the chat stops waiting and ends with what it has
 */
public record ChatSettings(int rounds, String stopToken, Duration turnTimeout) {
    public static final int DEFAULT_ROUNDS = 3;
    public static final String DEFAULT_STOP_TOKEN = "APPROVED";
    public static final Duration DEFAULT_TURN_TIMEOUT = Duration.ofSeconds(30);
    public static final ChatSettings DEFAULTS = new ChatSettings(DEFAULT_ROUNDS, DEFAULT_STOP_TOKEN, DEFAULT_TURN_TIMEOUT);

    /** Characters a model may wrap the token in ({@code **APPROVED**}, {@code `APPROVED`}, {@code > APPROVED}). */
    private static final String DECORATION = "*_`#>\"' \t";

    public ChatSettings {
        Objects.requireNonNull(stopToken, "stopToken");
        Objects.requireNonNull(turnTimeout, "turnTimeout");
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1 (got " + rounds + ")");
        if (stopToken.isBlank() || stopToken.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the stop token must be one word (got '" + stopToken + "')");
        }
        if (turnTimeout.isNegative() || turnTimeout.isZero()) {
            throw new IllegalArgumentException("the turn timeout must be positive (got " + turnTimeout + ")");
        }
    }

    public ChatSettings withRounds(int newRounds) {
        return new ChatSettings(newRounds, stopToken, turnTimeout);
    }

    public ChatSettings withStopToken(String newToken) {
        return new ChatSettings(rounds, newToken, turnTimeout);
    }

    public ChatSettings withTurnTimeout(Duration newTimeout) {
        return new ChatSettings(rounds, stopToken, newTimeout);
    }

    /**
     * Whether a reviewer's message ends the chat: its first or last non-blank line is the token
     * (markdown around it and a {@code Verdict:} before it allowed), or starts with it followed by a
     * pause ({@code APPROVED — fine}).
     * A token inside a sentence ("not APPROVED yet") does not count, nor does a question
     * ({@code APPROVED?}): the system prompt asks for the token on a line of its own.
     */
    public boolean approves(String reviewerText) {
        String[] lines = reviewerText.strip().split("\\R");
        return lines.length > 0 && (lineApproves(lines[0]) || lineApproves(lines[lines.length - 1]));
    }

    private boolean lineApproves(String line) {
        String bare = strip(line);
        if (bare.toLowerCase(Locale.ROOT).startsWith("verdict:")) bare = strip(bare.substring("verdict:".length()));
        if (!bare.startsWith(stopToken)) return false;
        String after = bare.substring(stopToken.length());
        if (after.isEmpty()) return true;
        char next = after.charAt(0);
        return next != '?' && !Character.isLetterOrDigit(next);
    }

    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && DECORATION.indexOf(s.charAt(start)) >= 0) start++;
        while (end > start && DECORATION.indexOf(s.charAt(end - 1)) >= 0) end--;
        return s.substring(start, end);
    }
}
