package dev.ensemble.core.config;

/**
 * Where a setting was written: a file and 1-based line, or an environment variable or a source
 * without lines (line 0).
 */
public record Origin(String source, int line) {
    ConfigError error(KeyPath path, String message) {
        return new ConfigError(source, line, path.toString(), message);
    }
}
