package dev.ensemble.agents.cli;

import dev.ensemble.core.UserDirs;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the CLI adapters look for their executables and how they treat processes.
 *
 * <p>An executable is found, in this order: an explicit path in {@code binaries} (by agent name),
 * then {@code searchDirs}, then the caller's {@code PATH}, then the install cache that
 * {@code .ci/install-agent-clis.sh} fills ({@link #cacheDir()}).
 *
 * @param homeRoot where per-run private homes are made (null: the system temp dir); sessions kept
 *                 for resume live in {@code <homeRoot>/sessions/<agent>/<session id>}
 * @param versionTimeout how long a CLI's {@code --version} may take before it is reported slow
 * @param detectionCache the file that remembers each binary's version between processes
 *                       ({@link DetectionCache}); null: ask every time
 * @param pathDirs the folders of the caller's {@code PATH}, searched after {@code searchDirs}
 * @param killGrace how long a process tree gets between destroy and destroyForcibly
 * @param stderrLimit how many characters of stderr are kept (the end of it)
 */
public record CliSettings(List<Path> searchDirs, Map<String, Path> binaries, Path cacheDir, Path homeRoot,
                          Duration versionTimeout, Duration killGrace, int stderrLimit, Path detectionCache,
                          List<Path> pathDirs, dev.ensemble.agents.process.Launcher launcher) {

    /** Without a launcher of its own: unconfined (tests, and code that runs no attempt). */
    public CliSettings(List<Path> searchDirs, Map<String, Path> binaries, Path cacheDir, Path homeRoot, Duration versionTimeout,
                       Duration killGrace, int stderrLimit, Path detectionCache, List<Path> pathDirs) {
        this(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs,
                dev.ensemble.agents.process.Launcher.unconfined().withKillGrace(killGrace));
    }

    public CliSettings {
        Objects.requireNonNull(launcher, "launcher");
        searchDirs = List.copyOf(searchDirs);
        pathDirs = List.copyOf(pathDirs);
        binaries = Map.copyOf(binaries);
        Objects.requireNonNull(cacheDir, "cacheDir");
        homeRoot = homeRoot == null ? Path.of(System.getProperty("java.io.tmpdir"), "ensemble-agents") : homeRoot;
        Objects.requireNonNull(versionTimeout, "versionTimeout");
        Objects.requireNonNull(killGrace, "killGrace");
        if (stderrLimit < 256) throw new IllegalArgumentException("stderr limit too small: " + stderrLimit);
    }

    /**
     * A version check gets 10 s, then the CLI is reported slow (and used anyway) rather than waited
     * for. Checks run at once and an answer is remembered, so this is paid once per installed
     * binary: the six npm CLIs need ~13 s of CPU between them to print their versions (gemini, qwen
     * and cn ~4 s each), which on two cores is ~7 s, too close to a 5 s limit to ever be remembered.
     */
    public static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

    public static CliSettings defaults() {
        return defaults(System.getenv());
    }

    /**
     * The defaults, with the folders taken from this environment ({@code HOME}, {@code XDG_CACHE_HOME},
     * {@code ENSEMBLE_AGENT_CLI_CACHE}) and the version check's limit from
     * {@code ENSEMBLE_AGENT_VERSION_TIMEOUT} ({@code 30s}, {@code 500ms}, or seconds) when set and valid.
     */
    public static CliSettings defaults(Map<String, String> env) {
        Duration versionTimeout = parseTimeout(env.get("ENSEMBLE_AGENT_VERSION_TIMEOUT")).orElse(VERSION_TIMEOUT);
        return new CliSettings(List.of(), Map.of(), defaultCacheDir(env), null, versionTimeout, Duration.ofSeconds(3), 16_384,
                defaultDetectionCache(env), pathDirs(env.get("PATH")));
    }

    /** {@code 30s}, {@code 500ms} or a number of seconds, positive and at most an hour; anything else is empty. */
    static Optional<Duration> parseTimeout(String text) {
        if (text == null) return Optional.empty();
        Matcher m = TIMEOUT.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        long amount = Long.parseLong(m.group(1));
        Duration d = "ms".equals(m.group(2)) ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        return d.isZero() || d.compareTo(Duration.ofHours(1)) > 0 ? Optional.empty() : Optional.of(d);
    }

    private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,7})\\s*(ms|s)?");

    /** {@code $ENSEMBLE_AGENT_CLI_CACHE}, else {@code $HOME/.cache/ensemble/agent-clis}: what the install script uses. */
    public static Path defaultCacheDir() {
        return defaultCacheDir(System.getenv());
    }

    public static Path defaultCacheDir(Map<String, String> env) {
        String configured = env.get("ENSEMBLE_AGENT_CLI_CACHE");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        return new UserDirs(env).cacheHome().resolve("ensemble").resolve("agent-clis");
    }

    /** {@code $XDG_CACHE_HOME/ensemble/agents.json}, else {@code $HOME/.cache/ensemble/agents.json}. */
    static Path defaultDetectionCache(Map<String, String> env) {
        return new UserDirs(env).cacheHome().resolve("ensemble").resolve("agents.json");
    }

    private static List<Path> pathDirs(String path) {
        if (path == null) return List.of();
        List<Path> dirs = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank()) dirs.add(Path.of(entry));
        }
        return dirs;
    }

    /** {@code $HOME} when set (so HOME=/tmp/x isolates a user), else the JVM's idea of it. */
    private static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /** The folders of the install cache where {@code name}'s executable may be. */
    public List<Path> cacheBinDirs(String name) {
        return List.of(cacheDir.resolve("bin"), cacheDir.resolve(name).resolve("node_modules").resolve(".bin"));
    }

    public Path sessionsRoot() {
        return homeRoot.resolve("sessions");
    }

    public CliSettings withSearchDirs(List<Path> dirs) {
        return new CliSettings(dirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    public CliSettings withBinary(String agent, Path executable) {
        Map<String, Path> copy = new HashMap<>(binaries);
        copy.put(agent, executable);
        return new CliSettings(searchDirs, copy, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    public CliSettings withCacheDir(Path dir) {
        return new CliSettings(searchDirs, binaries, dir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    public CliSettings withHomeRoot(Path dir) {
        return new CliSettings(searchDirs, binaries, cacheDir, dir, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    public CliSettings withKillGrace(Duration grace) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, grace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    public CliSettings withVersionTimeout(Duration timeout) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, timeout, killGrace, stderrLimit, detectionCache, pathDirs, launcher);
    }

    /** Where detections are remembered; null: nowhere, every detection asks the CLI. */
    public CliSettings withDetectionCache(Path file) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, file, pathDirs, launcher);
    }

    /** Instead of the caller's PATH (tests: an empty list finds nothing there). */
    public CliSettings withPathDirs(List<Path> dirs) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, dirs, launcher);
    }

    /** Through which every CLI process starts (the sandbox of the run). */
    public CliSettings withLauncher(dev.ensemble.agents.process.Launcher l) {
        return new CliSettings(searchDirs, binaries, cacheDir, homeRoot, versionTimeout, killGrace, stderrLimit, detectionCache, pathDirs, l);
    }

    Optional<Path> explicitBinary(String agent) {
        return Optional.ofNullable(binaries.get(agent));
    }
}
