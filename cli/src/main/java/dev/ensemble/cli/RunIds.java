package dev.ensemble.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Run ids ({@code run-20261206-203300-1a2b}): made by `go`, or by the daemon so that `go --detach` can answer one at once. */
public final class RunIds {
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("'run-'yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern SHAPE = Pattern.compile("run-\\d{8}-\\d{6}-[0-9a-f]{4}");

    private RunIds() {}

    public static String next() {
        return RUN_ID.format(Instant.now()) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    public static boolean valid(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }
}
