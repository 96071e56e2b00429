package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One CLI's detection once its binary is found: what the {@link DetectionCache} remembers for that
 * binary when it has not changed, else the binary's own answer to its version arguments within
 * {@link CliSettings#versionTimeout()}.
 *
 * <p>A check that does not answer in time makes the CLI {@link AgentInfo.Status#SLOW}: installed and
 * usable, with a warning, never missing; its version is then the one its npm package declares, when
 * there is one. That outcome is remembered too, for {@link #SLOW_RECHECK}: on a machine too loaded
 * for a CLI to answer, asking again on every command would cost every command the whole deadline
 * and never get an answer either. It is asked again after that, when the binary changes, or when
 * the deadline is raised ({@code ENSEMBLE_AGENT_VERSION_TIMEOUT}) beyond the one it missed.
 */
final class VersionCheck {
    /** How long a "slow" outcome stands before the CLI is asked again. */
    static final Duration SLOW_RECHECK = Duration.ofHours(1);

    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+(?:\\.\\d+)?(?:[-+][0-9A-Za-z.]+)?)");
    /** How long what a version check left running gets between destroy and destroyForcibly. */
    private static final Duration KILL_GRACE = Duration.ofMillis(500);

    private final String agent;
    private final List<String> args;
    private final Set<WireProtocol> drives;
    private final CliSettings settings;
    private final DetectionCache cache;

    VersionCheck(String agent, List<String> args, Set<WireProtocol> drives, CliSettings settings) {
        this.agent = agent;
        this.args = List.copyOf(args);
        this.drives = Set.copyOf(drives);
        this.settings = settings;
        this.cache = new DetectionCache(settings.detectionCache());
    }

    AgentInfo detect(Path binary) throws IOException {
        Optional<DetectionCache.Fingerprint> fingerprint = DetectionCache.Fingerprint.of(binary);
        Optional<DetectionCache.Remembered> known = fingerprint.flatMap(f -> cache.lookup(agent, binary, f));
        if (known.isPresent() && !known.get().slow()) return ready(binary, known.get().version());
        if (known.isPresent() && stands(known.get())) return slow(binary, known.get(), true);
        Answer answer = ask(binary);
        if (answer.info().isPresent()) {
            AgentInfo info = answer.info().get();
            if (info.status() == AgentInfo.Status.READY) fingerprint.ifPresent(f -> cache.remember(agent, binary, f,
                    DetectionCache.Remembered.ready(info.version())));
            return info;
        }
        DetectionCache.Remembered slow = DetectionCache.Remembered.slow(packageVersion(binary), settings.versionTimeout());
        fingerprint.ifPresent(f -> cache.remember(agent, binary, f, slow));
        return slow(binary, slow, false);
    }

    /** Whether a remembered "slow" still holds: recent, and the deadline it missed is no shorter than today's. */
    private boolean stands(DetectionCache.Remembered slow) {
        return slow.checked().plus(SLOW_RECHECK).isAfter(Instant.now()) && settings.versionTimeout().compareTo(slow.limit()) <= 0;
    }

    private AgentInfo ready(Path binary, String version) {
        return new AgentInfo(agent, AgentInfo.Status.READY, Optional.of(binary), version, "", drives);
    }

    private AgentInfo slow(Path binary, DetectionCache.Remembered slow, boolean remembered) {
        long minutes = Duration.between(slow.checked(), Instant.now()).toMinutes();
        String reason = "slow: " + String.join(" ", args) + " did not answer within " + describe(slow.limit())
                + (remembered ? (minutes < 1 ? " (less than a minute ago)" : " (" + minutes + " min ago)") : "")
                + (slow.version().isEmpty() ? "" : "; version from its package.json");
        return new AgentInfo(agent, AgentInfo.Status.SLOW, Optional.of(binary), slow.version(), reason, drives);
    }

    /** The binary's answer: an info when it answered (ready or unusable), empty when it did not in time. */
    private record Answer(Optional<AgentInfo> info) {}

    private Answer ask(Path binary) throws IOException {
        Files.createDirectories(settings.homeRoot());
        Path home = Files.createTempDirectory(settings.homeRoot(), agent + "-version-");
        try {
            Files.createDirectories(home.resolve("tmp"));
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            List<String> command = new ArrayList<>();
            command.add(binary.toString());
            command.addAll(args);
            // A version check has nothing to save: whatever outlives it is killed without the usual grace.
            Duration grace = KILL_GRACE.compareTo(settings.killGrace()) <= 0 ? KILL_GRACE : settings.killGrace();
            AgentProcess.Outcome outcome = new AgentProcess(grace, settings.stderrLimit()).run(new AgentProcess.Spec(
                    command, home, ProcessEnv.base(home, binary, false), settings.versionTimeout()), lines::add);
            if (!outcome.started()) return answered(unusable(binary, outcome.startFailure().get()));
            if (outcome.timedOut()) return new Answer(Optional.empty());
            if (outcome.exitCode() != 0) {
                return answered(unusable(binary, String.join(" ", args) + " exited with code " + outcome.exitCode()
                        + CliAgent.lastLines(": ", outcome.stderr())));
            }
            String version = version(String.join("\n", lines));
            if (version.isEmpty()) return answered(unusable(binary, String.join(" ", args) + " printed no version"));
            return answered(ready(binary, version));
        } finally {
            PrivateHome.deleteTree(home);
        }
    }

    private static Answer answered(AgentInfo info) {
        return new Answer(Optional.of(info));
    }

    private AgentInfo unusable(Path binary, String reason) {
        return new AgentInfo(agent, AgentInfo.Status.UNUSABLE, Optional.of(binary), "", reason, drives);
    }

    static String version(String output) {
        Matcher m = VERSION.matcher(output);
        return m.find() ? m.group(1) : "";
    }

    /**
     * The version in the package.json of the npm package the binary belongs to (the nearest one
     * above the file it resolves to, inside its package), or "" when there is none.
     */
    static String packageVersion(Path binary) {
        try {
            Path dir = binary.toRealPath().getParent();
            for (int i = 0; i < 4 && dir != null && !dir.getFileName().toString().equals("node_modules"); i++, dir = dir.getParent()) {
                Path manifest = dir.resolve("package.json");
                if (!Files.isRegularFile(manifest) || Files.size(manifest) > 1_000_000) continue;
                JsonNode version = JsonLineParser.JSON.readTree(Files.readString(manifest)).path("version");
                return version.isString() && VERSION.matcher(version.asString()).matches() ? version.asString() : "";
            }
        } catch (IOException | RuntimeException e) {
            // No readable manifest: no version to show.
        }
        return "";
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
