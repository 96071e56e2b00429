package dev.ensemble.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in config and on the command line: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1.5h}, {@code 1d}. */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException saying what a duration looks like */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 10s, 2m or 1h");
        }
        long unitMillis = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis));
        try {
            return Duration.ofMillis(millis.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too long");
        }
    }

    /** The shortest exact spelling that {@link #parse} reads back. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 86_400_000 == 0) return millis / 86_400_000 + "d";
        if (millis != 0 && millis % 3_600_000 == 0) return millis / 3_600_000 + "h";
        if (millis != 0 && millis % 60_000 == 0) return millis / 60_000 + "m";
        if (millis % 1_000 == 0) return millis / 1_000 + "s";
        return millis + "ms";
    }
}
