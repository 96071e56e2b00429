package dev.ensemble.cli;

import java.time.Duration;
import java.util.Locale;

/** How numbers look in ensemble's output. */
final class Format {
    private Format() {}

    static String usd(double usd) {
        if (usd == 0) return "$0";
        if (usd < 0.0001) return "<$0.0001";
        if (usd < 0.01) return String.format(Locale.ROOT, "$%.4f", usd);
        return String.format(Locale.ROOT, "$%.2f", usd);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return ms + " ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms % 60_000) / 1000);
    }

    static String millis(double ms) {
        return duration(Duration.ofMillis(Math.round(ms)));
    }

    static String tokens(long n) {
        if (n < 10_000) return Long.toString(n);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1fk", n / 1000.0);
        return String.format(Locale.ROOT, "%.2fM", n / 1_000_000.0);
    }

    static String price(double perMtok) {
        return perMtok == 0 ? "0" : String.format(Locale.ROOT, "%.2f", perMtok);
    }
}
