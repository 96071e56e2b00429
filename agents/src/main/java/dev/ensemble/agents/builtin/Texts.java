package dev.ensemble.agents.builtin;

import dev.ensemble.core.Redactor;

/**
 * Keeping tool output within bounds without hiding that something was cut. Every cut is made in
 * masked text ({@link Redactor}): a key cut in two is no longer recognisable by any later masking,
 * and what is cut here goes back to the model, into events and into transcripts.
 */
final class Texts {
    private Texts() {}

    /**
     * Cuts {@code text} to about {@code max} characters, keeping the head and the tail (a failing
     * build says what broke at the end, a listing says the most at the start) and saying how much
     * was left out in between.
     */
    static String bound(String text, int max) {
        text = Redactor.global().redact(text);
        if (text.length() <= max) return text;
        int tail = max / 3;
        int head = max - tail;
        int omitted = text.length() - head - tail;
        return text.substring(0, head) + "\n[... " + omitted + " characters omitted ...]\n" + text.substring(text.length() - tail);
    }

    /** The first {@code max} characters, for event summaries. */
    static String start(String text, int max) {
        text = Redactor.global().redact(text);
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** How many times {@code needle} occurs in {@code text}, without overlaps. */
    static int occurrences(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) count++;
        return count;
    }

    /** True when the bytes look binary: a NUL in the first 8 KiB, as git decides. */
    static boolean looksBinary(byte[] bytes) {
        int n = Math.min(bytes.length, 8192);
        for (int i = 0; i < n; i++) {
            if (bytes[i] == 0) return true;
        }
        return false;
    }
}
