package dev.ensemble.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Masks secret values in any text that leaves the process: terminal output, logs, errors, the
 * ledger, transcripts, events. Every configured key's value is registered here when the
 * configuration is loaded (resolved or not: see {@code SecretResolver#registerConfigured}), and
 * every value resolved later (a {@code pass:} or {@code keychain:} key, a per-attempt key) when it
 * is resolved. A secret shorter than 6 characters is not worth masking (it would mangle ordinary
 * words) and such keys are rejected when resolved.
 *
 * <p>Mask first, then cut: text that is shortened (a tail of a child's output, a snippet of an
 * error body) is masked before the cut, since a cut key is no longer recognisable. Text that
 * arrives in pieces (a streamed answer, a child's output read in blocks) goes through a
 * {@link Streaming} masker, which holds back a possible key prefix across pieces, so that no piece
 * ever shows a fragment of a key.
 */
public final class Redactor {
    public static final String MASK = "****";
    /**
     * A held-back key prefix this long or longer is masked when its stream ends mid-key (a killed
     * child, a cut answer) rather than printed: shorter ones ("sk-") say nothing of a key.
     */
    static final int MIN_FRAGMENT = 4;
    private static final Redactor GLOBAL = new Redactor();

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    /** The process-wide instance: secrets resolved anywhere must be masked everywhere. */
    public static Redactor global() {
        return GLOBAL;
    }

    public void register(String secret) {
        if (secret != null && secret.length() >= 6) secrets.add(secret);
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) return text;
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MASK);
        }
        return out;
    }

    /** Whether {@code text} holds a registered secret (an environment variable that must not reach a child). */
    public boolean containsSecret(String text) {
        if (text == null) return false;
        for (String secret : secrets) {
            if (text.contains(secret)) return true;
        }
        return false;
    }

    /** A masker for text that arrives in pieces; see {@link Streaming}. */
    public Streaming streaming() {
        return new Streaming(this);
    }

    /** How a secret is shown when it must be mentioned at all: its reference, never a prefix of it. */
    public static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(empty)" : MASK;
    }

    /** The length of the longest end of {@code text} that is the start (not the whole) of a secret. */
    int heldBack(CharSequence text) {
        int longest = 0;
        int length = text.length();
        for (String secret : List.copyOf(secrets)) {
            int most = Math.min(length, secret.length() - 1);
            for (int k = most; k > longest; k--) {
                if (endsWith(text, secret, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private static boolean endsWith(CharSequence text, String secret, int k) {
        int from = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(from + i) != secret.charAt(i)) return false;
        }
        return true;
    }

    /** Whether {@code text} is the start of a secret (a prefix, or the whole). */
    boolean startsASecret(String text) {
        for (String secret : secrets) {
            if (secret.startsWith(text)) return true;
        }
        return false;
    }

    /**
     * Masks text that arrives in pieces (deltas of a streamed answer, blocks of a child's output):
     * {@link #accept} gives what can be shown now, masked, and keeps back the end of the text seen
     * so far when it could be the start of a key, until the next piece says whether it is one.
     * {@link #finish} gives what was kept back, masked when the stream ended inside a key. So a key
     * split across pieces is masked whole, and no cut made after this masker can split a key.
     * Not thread-safe: one per stream.
     */
    public static final class Streaming {
        private final Redactor redactor;
        private String pending = "";

        Streaming(Redactor redactor) {
            this.redactor = redactor;
        }

        /** What of {@code piece} (with what was kept back before) can be shown now, masked. */
        public String accept(CharSequence piece) {
            if (piece.isEmpty()) return "";
            String text = redactor.redact(pending + piece);
            int keep = redactor.heldBack(text);
            pending = text.substring(text.length() - keep);
            return text.substring(0, text.length() - keep);
        }

        /** The end of the stream: what was kept back, masked when it is the start of a key. */
        public String finish() {
            String rest = pending;
            pending = "";
            if (rest.length() >= MIN_FRAGMENT && redactor.startsASecret(rest)) return MASK;
            return rest;
        }

        /** Whether text is being kept back. */
        public boolean holding() {
            return !pending.isEmpty();
        }
    }
}
