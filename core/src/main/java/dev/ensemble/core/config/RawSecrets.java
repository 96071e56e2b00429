package dev.ensemble.core.config;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises values that must not be echoed: anything in a secret field that is not a reference,
 * and anything anywhere that looks like a pasted API key. Config keeps keys by reference only,
 * so masking a false positive costs nothing but a "****" in {@code ensemble config show}.
 */
final class RawSecrets {
    static final Pattern REFERENCE = Pattern.compile("^(env|file|keychain|pass):.+", Pattern.DOTALL);
    private static final Set<String> SECRET_FIELDS = Set.of("api_key", "password", "token", "secret", "bot_token");
    /** Well-known key shapes: OpenAI/Anthropic/DeepSeek/OpenRouter sk-, Google AIza, GitHub, Slack, AWS, Hugging Face, Groq, Telegram bot tokens, long hex. */
    private static final Pattern KNOWN_SHAPES = Pattern.compile(
            "(sk-[A-Za-z0-9_-]{12,}|AIza[0-9A-Za-z_-]{20,}|(ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{16,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|hf_[A-Za-z0-9]{20,}|gsk_[A-Za-z0-9]{20,}"
                    + "|[0-9]{8,10}:[A-Za-z0-9_-]{35}|^[0-9a-fA-F]{32,}$)");
    private static final Pattern TOKEN_CHARS = Pattern.compile("[A-Za-z0-9_\\-+/=.]+");

    private RawSecrets() {
    }

    static boolean isSecretField(KeyPath path) {
        return SECRET_FIELDS.contains(path.lastKey());
    }

    static boolean isReference(String value) {
        return REFERENCE.matcher(value).matches();
    }

    /** True if the value at {@code path} must be masked wherever it would be shown. */
    static boolean mustMask(KeyPath path, String value) {
        if (isSecretField(path)) return !isReference(value) && !value.isEmpty();
        return looksLikeKey(value);
    }

    static boolean looksLikeKey(String value) {
        String v = value.strip();
        if (isReference(v) || v.contains("://")) return false;
        if (KNOWN_SHAPES.matcher(v).find()) return true;
        // A long unbroken token mixing letters and digits with high per-character entropy: random,
        // not a model name (those repeat letters and are mostly words).
        if (v.length() < 28 || !TOKEN_CHARS.matcher(v).matches()) return false;
        boolean letter = v.chars().anyMatch(Character::isLetter);
        boolean digit = v.chars().anyMatch(Character::isDigit);
        return letter && digit && entropyBitsPerChar(v) >= 4.3;
    }

    private static double entropyBitsPerChar(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (char c : s.toCharArray()) {
            if (c < 128) counts[c]++;
            else other++;
        }
        double bits = 0;
        for (int count : counts) bits += term(count, s.length());
        return bits + term(other, s.length());
    }

    private static double term(int count, int total) {
        if (count == 0) return 0;
        double p = (double) count / total;
        return -p * (Math.log(p) / Math.log(2));
    }
}
