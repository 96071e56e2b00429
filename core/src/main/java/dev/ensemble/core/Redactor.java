package dev.ensemble.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Masks secret values in any text that leaves the process: logs, errors, the ledger, transcripts.
 * Every resolved secret is registered here; a secret shorter than 6 characters is not worth
 * masking (it would mangle ordinary words) and such keys are rejected when resolved.
 */
public final class Redactor {
    public static final String MASK = "****";
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

    /** How a secret is shown when it must be mentioned at all: its reference, never a prefix of it. */
    public static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(empty)" : MASK;
    }
}
