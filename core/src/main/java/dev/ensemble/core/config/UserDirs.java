package dev.ensemble.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The user's folders as the environment names them: {@code $HOME}, then {@code $XDG_CONFIG_HOME}
 * (or {@code ~/.config}) and {@code $XDG_CACHE_HOME} (or {@code ~/.cache}). The JVM's {@code user.home} comes from the password database and ignores
 * {@code HOME}, so {@code HOME=/tmp/h ensemble …} could not isolate a user's files; it is only the
 * fallback when {@code HOME} is unset or not absolute.
 *
 * <p>One small helper on purpose: configuration loading and the secrets store both need these
 * folders, and must agree on them.
 */
public record UserDirs(Path home, Path configHome, Path cacheHome) {
    public UserDirs {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(configHome, "configHome");
        Objects.requireNonNull(cacheHome, "cacheHome");
    }

    /** From the process's environment. */
    public static UserDirs fromEnvironment() {
        return from(System.getenv());
    }

    /** From the given variables; relative or blank values are ignored, as the XDG specification says. */
    public static UserDirs from(Map<String, String> env) {
        Path home = absolute(env.get("HOME"));
        if (home == null) home = Path.of(System.getProperty("user.home"));
        Path config = absolute(env.get("XDG_CONFIG_HOME"));
        Path cache = absolute(env.get("XDG_CACHE_HOME"));
        return new UserDirs(home, config != null ? config : home.resolve(".config"), cache != null ? cache : home.resolve(".cache"));
    }

    /** {@code <config home>/ensemble}: the user's config.yaml and the secrets folder live here. */
    public Path ensembleConfig() {
        return configHome.resolve("ensemble");
    }

    /** {@code <cache home>/ensemble}: what can be rebuilt at any time (Ollama model details). */
    public Path ensembleCache() {
        return cacheHome.resolve("ensemble");
    }

    private static Path absolute(String value) {
        if (value == null || value.isBlank()) return null;
        Path path = Path.of(value);
        return path.isAbsolute() ? path : null;
    }
}
