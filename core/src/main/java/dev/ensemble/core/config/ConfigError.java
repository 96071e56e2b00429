package dev.ensemble.core.config;

import java.util.Objects;

/**
 * One problem in the configuration, pinned to where the user can fix it.
 *
 * @param source  the file it came from, or {@code environment variable ENSEMBLE_X}
 * @param line    1-based line in {@code source}; 0 when there is no line (environment, built-ins)
 * @param key     dotted path of the offending setting, such as {@code models.gpt-5.pricing.input};
 *                empty when the problem is the document itself
 * @param message what was expected and what was found (never a secret's value)
 */
public record ConfigError(String source, int line, String key, String message) {
    public ConfigError {
        Objects.requireNonNull(source, "source");
        key = key == null ? "" : key;
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(source);
        if (line > 0) out.append(':').append(line);
        out.append(": ");
        if (!key.isEmpty()) out.append(key).append(": ");
        return out.append(message).toString();
    }
}
