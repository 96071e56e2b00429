package dev.ensemble.core;

/**
 * Where a secret lives; never the secret itself. Written as {@code env:NAME}, {@code file:PATH},
 * {@code keychain:SERVICE/ACCOUNT} (or {@code keychain:ACCOUNT} in the default service) and
 * {@code pass:NAME}. {@link #toString()} is the reference, so logging one is safe.
 */
public sealed interface SecretRef {
    String DEFAULT_KEYCHAIN_SERVICE = "ai-secrets";

    record Env(String name) implements SecretRef {
        @Override public String toString() { return "env:" + name; }
    }

    record File(String path) implements SecretRef {
        @Override public String toString() { return "file:" + path; }
    }

    record Keychain(String service, String account) implements SecretRef {
        @Override public String toString() { return "keychain:" + service + "/" + account; }
    }

    record Pass(String name) implements SecretRef {
        @Override public String toString() { return "pass:" + name; }
    }

    /**
     * Parses a reference. A plain string without a known scheme is rejected rather than taken as
     * a key, so a pasted key never ends up stored by value.
     */
    static SecretRef parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected a secret reference such as env:OPENAI_API_KEY, "
                    + "file:~/.secrets/openai, keychain:ai-secrets/OPENAI_API_KEY or pass:openai");
        }
        String scheme = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        return switch (scheme) {
            case "env" -> {
                if (!rest.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("env: needs a variable name, such as env:OPENAI_API_KEY");
                }
                yield new Env(rest);
            }
            case "file" -> new File(rest);
            case "keychain" -> {
                int slash = rest.indexOf('/');
                yield slash < 0 ? new Keychain(DEFAULT_KEYCHAIN_SERVICE, rest)
                        : new Keychain(rest.substring(0, slash), rest.substring(slash + 1));
            }
            case "pass" -> new Pass(rest);
            default -> throw new IllegalArgumentException("unknown secret scheme '" + scheme
                    + "' (expected env:, file:, keychain: or pass:)");
        };
    }
}
