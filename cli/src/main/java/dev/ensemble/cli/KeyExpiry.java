package dev.ensemble.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code keys create --expires}: how long from now ({@code 90m}, {@code 12h}, {@code 30d}, {@code 2w}) or until when. */
final class KeyExpiry {
    private static final Pattern AFTER = Pattern.compile("(\\d{1,6})\\s*([mhdw])");

    private KeyExpiry() {}

    /**
     * The instant the key stops working: {@code now} plus a duration, the end of a UTC day
     * ({@code 2027-01-31}: the key works through that day), or an instant with a zone.
     *
     * @throws UserInputException for anything else, or a time that is not in the future
     */
    static Instant parse(String text, Instant now) {
        String value = text.strip();
        Instant at;
        Matcher m = AFTER.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            at = now.plus(d);
        } else {
            try {
                at = LocalDate.parse(value).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                try {
                    at = OffsetDateTime.parse(value).toInstant();
                } catch (DateTimeParseException notAnInstant) {
                    throw new UserInputException("--expires: '" + text + "' is not a time: give 90m, 12h, 30d or 2w, a date "
                            + "(2027-01-31) or an instant (2027-01-31T18:00:00Z); nothing was made");
                }
            }
        }
        if (!at.isAfter(now)) {
            throw new UserInputException("--expires: " + text + " is not in the future; nothing was made");
        }
        return at;
    }
}
