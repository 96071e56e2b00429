package dev.ensemble.core.config;

import java.util.Objects;

/**
 * Finds where a setting was written, so that a section validated outside the loader (roles,
 * pipelines) can still report "file:line: key: message" like the loader's own errors.
 * {@link ConfigLoader#locator()} gives one over the merged layers; {@link LocatedYaml} one over a
 * single YAML text.
 */
@FunctionalInterface
public interface ConfigLocator {
    /**
     * The file (or variable) and line that set {@code dottedKey}, written as in error messages:
     * {@code pipelines.audit.steps[1].role}. For a key that was never set, where its nearest
     * enclosing key was; a mapping names the layer that introduced it, any other value the layer
     * that last set it.
     */
    Origin locate(String dottedKey);

    /** An error about {@code dottedKey}, placed where it was written. */
    default ConfigError error(String dottedKey, String message) {
        Origin origin = locate(dottedKey);
        return new ConfigError(origin.source(), origin.line(), dottedKey, message);
    }

    /** For a tree whose positions are unknown: every key is reported at {@code source}, without a line. */
    static ConfigLocator unplaced(String source) {
        Objects.requireNonNull(source, "source");
        Origin origin = new Origin(source, 0);
        return key -> origin;
    }
}
