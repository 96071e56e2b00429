package dev.ensemble.core;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the user's own files are: the home folder and ensemble's configuration folder. The JVM's
 * {@code user.home} comes from the password database, not from {@code $HOME}, so {@code HOME=/tmp/h
 * ensemble …} would otherwise still read the real home; every place that needs the home folder asks
 * this class instead. The environment is given, not read from the process, so tests can set it.
 *
 * <ul>
 *   <li>{@link #home()}: {@code $HOME} when it is an absolute path, else {@code user.home}</li>
 *   <li>{@link #configHome()}: {@code $XDG_CONFIG_HOME} when it is an absolute path (the XDG rule:
 *       a relative one is ignored), else {@code home()/.config}</li>
 *   <li>{@link #configDir()}: {@code configHome()/ensemble}; {@link #userConfigFile()} is its {@code config.yaml}</li>
 *   <li>{@link #dataHome()}: {@code $XDG_DATA_HOME} when it is an absolute path, else {@code home()/.local/share};
 *       {@link #dataDir()} is its {@code ensemble}: state that is neither configuration nor cache
 *       (the gateway's virtual keys)</li>
 * </ul>
 */
public final class UserDirs {
    private final Map<String, String> env;
    private final Path fallbackHome;

    /** @param fallbackHome the home folder when {@code $HOME} is unset or not absolute (normally {@code user.home}) */
    public UserDirs(Map<String, String> env, Path fallbackHome) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.fallbackHome = Objects.requireNonNull(fallbackHome, "fallbackHome");
    }

    /** With {@code user.home} as the fallback home folder. */
    public UserDirs(Map<String, String> env) {
        this(env, Path.of(System.getProperty("user.home")));
    }

    /** The process's own environment. */
    public static UserDirs system() {
        return new UserDirs(System.getenv());
    }

    public Path home() {
        return absolute("HOME").orElse(fallbackHome);
    }

    public Path configHome() {
        return absolute("XDG_CONFIG_HOME").orElseGet(() -> home().resolve(".config"));
    }

    /** {@code $XDG_CACHE_HOME} when it is an absolute path, else {@code home()/.cache}. */
    public Path cacheHome() {
        return absolute("XDG_CACHE_HOME").orElseGet(() -> home().resolve(".cache"));
    }

    /** ensemble's own cache folder: {@code cacheHome()/ensemble}. */
    public Path cacheDir() {
        return cacheHome().resolve("ensemble");
    }

    /** {@code $XDG_DATA_HOME} when it is an absolute path, else {@code home()/.local/share}. */
    public Path dataHome() {
        return absolute("XDG_DATA_HOME").orElseGet(() -> home().resolve(".local").resolve("share"));
    }

    /** ensemble's own data folder: {@code dataHome()/ensemble}. */
    public Path dataDir() {
        return dataHome().resolve("ensemble");
    }

    /** {@code $XDG_STATE_HOME} when it is an absolute path, else {@code home()/.local/state}. */
    public Path stateHome() {
        return absolute("XDG_STATE_HOME").orElseGet(() -> home().resolve(".local").resolve("state"));
    }

    /** ensemble's own state folder (the daemon's state file): {@code stateHome()/ensemble}. */
    public Path stateDir() {
        return stateHome().resolve("ensemble");
    }

    public Path configDir() {
        return configHome().resolve("ensemble");
    }

    public Path userConfigFile() {
        return configDir().resolve("config.yaml");
    }

    /** {@code ~} and {@code ~/x} against {@link #home()}; any other path unchanged. */
    public Path expand(String path) {
        if (path.equals("~")) return home();
        if (path.startsWith("~/")) return home().resolve(path.substring(2));
        return Path.of(path);
    }

    private java.util.Optional<Path> absolute(String variable) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) return java.util.Optional.empty();
        try {
            Path path = Path.of(value);
            return path.isAbsolute() ? java.util.Optional.of(path) : java.util.Optional.empty();
        } catch (java.nio.file.InvalidPathException e) {
            return java.util.Optional.empty();
        }
    }
}
