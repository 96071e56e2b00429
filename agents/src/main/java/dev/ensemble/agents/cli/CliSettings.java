package dev.ensemble.agents.cli;

import dev.ensemble.core.UserDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the CLI adapters look for their executables and how they treat processes.
 *
 * <p>An executable is found, in this order: an explicit path in {@code binaries} (by agent name),
 * then {@code searchDirs}, then the caller's {@code PATH}, then the install cache that
 * {@code .ci/install-agent-clis.sh} fills ({@link #cacheDir()}).
 *
 * @param homeRoot where per-run private homes are made (null: the system temp dir); sessions kept
 *                 for resume live in {@code <homeRoot>/sessions/<agent>/<session id>}
 * @param killGrace how long a process tree gets between destroy and destroyForcibly
 * @param stderrLimit how many characters of stderr are kept (the end of it)
 */
public record CliSettings(List<Path> searchDirs, Map<String, Path> binaries, Path cacheDir, Path homeRoot,
                          Duration versionTimeout, Duration killGrace, int stderrLimit) {

    public CliSettings {
        searchDirs = List.copyOf(searchDirs);
        binaries = Map.copyOf(binaries);
        Objects.requireNonNull(cacheDir, "cacheDir");
        homeRoot = homeRoot == null ? Path.of(System.getProperty("java.io.tmpdir"), "ensemble-agents") : homeRoot;
        Objects.requireNonNull(versionTimeout, "versionTimeout");
        Objects.requireNonNull(killGrace, "killGrace");
        if (stderrLimit < 256) throw new IllegalArgumentException("stderr limit too small: " + stderrLimit);
    }

    public static CliSettings defaults() {
        return defaults(System.getenv());
    }

    /** The defaults for a given environment ({@code $HOME}, {@code $ENSEMBLE_AGENT_CLI_CACHE}). */
    public static CliSettings defaults(Map<String, String> env) {
        return new CliSettings(List.of(), Map.of(), defaultCacheDir(env), null, Duration.ofSeconds(20), Duration.ofSeconds(3),
                16_384);
    }

    /** {@code $ENSEMBLE_AGENT_CLI_CACHE}, else {@code ~/.cache/ensemble/agent-clis}: what the install script uses. */
    public static Path defaultCacheDir() {
        return defaultCacheDir(System.getenv());
    }

    /** As {@link #defaultCacheDir()} for a given environment: {@code ~} is {@code $HOME}, as in the install script. */
    public static Path defaultCacheDir(Map<String, String> env) {
        String configured = env.get("ENSEMBLE_AGENT_CLI_CACHE");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        return new UserDirs(env).home().resolve(".cache").resolve("ensemble").resolve("agent-clis");
    }

    /** The folders of the install cache where {@code name}'s executable may be. */
    public List<Path> cacheBinDirs(String name) {
        return List.of(cacheDir.resolve("bin"), cacheDir.resolve(name).resolve("node_modules").resolve(".bin"));
    }

    public Path sessionsRoot() {
        return homeRoot.resolve("sessions");
    }

    public CliSettings withSearchDirs(List<Path> dirs) {
        return new CliSettings(dirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit);
    }

    public CliSettings withBinary(String agent, Path executable) {
        Map<String, Path> copy = new HashMap<>(binaries);
        copy.put(agent, executable);
        return new CliSettings(searchDirs, copy, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit);
    }

    public CliSettings withCacheDir(Path dir) {
        return new CliSettings(searchDirs, binaries, dir, homeRoot, versionTimeout, killGrace, stderrLimit);
    }

    public CliSettings withHomeRoot(Path dir) {
        return new CliSettings(searchDirs, binaries, cacheDir, dir, versionTimeout, killGrace, stderrLimit);
    }

    public CliSettings withKillGrace(Duration grace) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, grace, stderrLimit);
    }

    public CliSettings withVersionTimeout(Duration timeout) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, timeout, killGrace, stderrLimit);
    }

    Optional<Path> explicitBinary(String agent) {
        return Optional.ofNullable(binaries.get(agent));
    }
}
