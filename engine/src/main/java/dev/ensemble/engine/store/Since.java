package dev.ensemble.engine.store;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the CLI's {@code --since} values: how far back ({@code 30m}, {@code 24h}, {@code 7d}) or from when. */
public final class Since {
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    private Since() {}

    /**
     * {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d} or {@code 2w} before now; an ISO date
     * ({@code 2026-11-01}, from the start of that UTC day); or an ISO instant with a zone
     * ({@code 2026-11-01T09:30:00Z}, {@code 2026-11-01T09:30:00+02:00}).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Instant parse(String text, Clock clock) {
        String value = text == null ? "" : text.strip();
        Matcher ago = AGO.matcher(value);
        if (ago.matches()) {
            long amount = Long.parseLong(ago.group(1));
            Duration unit = switch (ago.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            try {
                return clock.instant().minus(unit.multipliedBy(amount));
            } catch (ArithmeticException | DateTimeException e) {
                throw invalid(value);
            }
        }
        try {
            if (value.length() == 10) return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeException e) {
            throw invalid(value);
        }
    }

    private static IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException("cannot read --since '" + value + "': expected a time back from now "
                + "such as 30m, 24h, 7d or 2w, a UTC date such as 2026-11-01, or an instant with a zone such as "
                + "2026-11-01T09:30:00Z");
    }
}
