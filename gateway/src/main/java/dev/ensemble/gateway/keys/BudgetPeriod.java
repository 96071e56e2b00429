package dev.ensemble.gateway.keys;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What a key's budget is counted over. Days and months are UTC, like the daily budget; a run is
 * the life of one gateway (the in-process gateway of an {@code exec} or {@code go} lives exactly
 * as long as its run; a standalone {@code ensemble gateway} starts a new count when it restarts).
 */
public enum BudgetPeriod {
    DAY("per day"), RUN("per run"), MONTH("per month"), TOTAL("in total");

    private static final DateTimeFormatter DAY_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MONTH_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC);

    private final String phrase;

    BudgetPeriod(String phrase) {
        this.phrase = phrase;
    }

    /** "per day", "in total": what follows the amount in a sentence. */
    public String phrase() {
        return phrase;
    }

    /** As stored and typed: {@code day}, {@code run}, {@code month}, {@code total}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The spend bucket a call at {@code now} counts in: {@code 2026-11-21}, {@code 2026-11},
     * {@code total} or {@code run:<runId>}.
     */
    public String bucket(Instant now, String runId) {
        return switch (this) {
            case DAY -> DAY_FORMAT.format(now);
            case MONTH -> MONTH_FORMAT.format(now);
            case TOTAL -> TOTAL_BUCKET;
            case RUN -> "run:" + runId;
        };
    }

    static final String TOTAL_BUCKET = "total";

    /** @throws IllegalArgumentException naming the accepted words */
    public static BudgetPeriod parse(String word) {
        for (BudgetPeriod period : values()) {
            if (period.word().equals(word == null ? "" : word.strip().toLowerCase(Locale.ROOT))) return period;
        }
        throw new IllegalArgumentException("expected day, run, month or total, got '" + word + "'");
    }
}
