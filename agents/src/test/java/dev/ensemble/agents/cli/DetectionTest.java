package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentInfo.Status;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.builtin.BuiltinAgent;
import dev.ensemble.agents.builtin.BuiltinSettings;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Detection as `agents`, `doctor`, `exec` and every task attempt use it: remembered per binary
 * across processes (a new CliAgent and registry stand for a new process), each check with its own
 * deadline, and a CLI that answers late reported slow, never missing.
 */
class DetectionTest {
    @TempDir Path tmp;

    private Path bin() {
        return tmp.resolve("bin");
    }

    private CliSettings settings() {
        return FakeClis.settings(tmp).withSearchDirs(List.of(bin()));
    }

    private AgentRegistry registry(CliSettings settings) {
        AgentRegistry registry = AgentRegistry.withCliAgents(settings);
        registry.register(new BuiltinAgent(task -> {
            throw new IllegalStateException("no model in this test");
        }, BuiltinSettings.DEFAULTS));
        return registry;
    }

    private static AgentInfo info(List<AgentInfo> infos, String name) {
        return infos.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aCliThatAnswersLateIsSlowNotMissingAndTheOthersAreKept() {
        Path counter = tmp.resolve("codex.runs");
        FakeClis.install(bin(), "version.sh", "claude");
        FakeClis.counting(bin(), "codex", counter, "0.1.0", 30);

        List<AgentInfo> infos = registry(settings().withVersionTimeout(Duration.ofSeconds(1))).detectAll();

        AgentInfo codex = info(infos, "codex");
        assertThat(codex.status()).isEqualTo(Status.SLOW);
        assertThat(codex.usable()).as("a slow CLI is used, with a warning").isTrue();
        assertThat(codex.binary()).contains(bin().resolve("codex").toAbsolutePath());
        assertThat(codex.reason()).isEqualTo("slow: --version did not answer within 1 s");
        assertThat(info(infos, "claude").status()).isEqualTo(Status.READY);
        assertThat(info(infos, "claude").version()).isEqualTo("9.8.7");
        assertThat(info(infos, "builtin").status()).isEqualTo(Status.READY);
        assertThat(info(infos, "opencode").status()).isEqualTo(Status.MISSING);
        assertThat(infos).extracting(AgentInfo::name).containsExactly("claude", "codex", "opencode", "gemini", "qwen", "cn", "aider", "builtin");
    }

    @Test
    void aSlowOutcomeIsRememberedForAWhileSoTheNextCommandsDoNotWaitAgain() throws Exception {
        Path counter = tmp.resolve("codex.runs");
        FakeClis.counting(bin(), "codex", counter, "0.1.0", 30);
        CliSettings settings = settings().withVersionTimeout(Duration.ofSeconds(1));

        AgentInfo first = new CodexAgent(settings).detect();
        AgentInfo second = new CodexAgent(settings).detect();

        assertThat(first.status()).isEqualTo(Status.SLOW);
        assertThat(second.status()).isEqualTo(Status.SLOW);
        assertThat(second.reason()).isEqualTo("slow: --version did not answer within 1 s (less than a minute ago)");
        assertThat(FakeClis.runs(counter)).as("the second detection did not wait for it again").isEqualTo(1);

        // A longer deadline than the one it missed: asked again.
        assertThat(new CodexAgent(settings.withVersionTimeout(Duration.ofSeconds(2))).detect().reason())
                .isEqualTo("slow: --version did not answer within 2 s");
        assertThat(FakeClis.runs(counter)).isEqualTo(2);

        // After a while: asked again.
        Path file = settings.detectionCache();
        String json = Files.readString(file);
        String checked = JsonLineParser.JSON.readTree(json).path("entries").get(0).path("checked").asString();
        Files.writeString(file, json.replace(checked, java.time.Instant.parse(checked).minus(VersionCheck.SLOW_RECHECK).minusSeconds(60).toString()));
        new CodexAgent(settings).detect();
        assertThat(FakeClis.runs(counter)).isEqualTo(3);
    }

    @Test
    void aSlowNpmCliShowsTheVersionItsPackageDeclares() throws Exception {
        // The layout npm installs: node_modules/<package>/{package.json, bundle/<cli>.js}, linked from a bin folder.
        Path pkg = tmp.resolve("prefix/node_modules/@google/gemini-cli");
        Files.createDirectories(pkg);
        Files.writeString(pkg.resolve("package.json"), "{\"name\": \"@google/gemini-cli\", \"version\": \"0.61.0\"}");
        Path script = FakeClis.counting(pkg.resolve("bundle"), "gemini.js", tmp.resolve("gemini.runs"), "0.61.0", 30);
        Files.createDirectories(bin());
        Files.createSymbolicLink(bin().resolve("gemini"), script);

        AgentInfo gemini = new GeminiAgent(settings().withVersionTimeout(Duration.ofSeconds(1))).detect();

        assertThat(gemini.status()).isEqualTo(Status.SLOW);
        assertThat(gemini.version()).isEqualTo("0.61.0");
        assertThat(gemini.reason()).isEqualTo("slow: --version did not answer within 1 s; version from its package.json");
        assertThat(VersionCheck.packageVersion(bin().resolve("gemini"))).isEqualTo("0.61.0");
        assertThat(VersionCheck.packageVersion(tmp.resolve("nowhere"))).isEmpty();
    }

    @Test
    void anAgentThatOverrunsTheRegistryLimitIsReportedSlowWhileTheBuiltinAgentIsReported() {
        AgentRegistry registry = new AgentRegistry(List.of(new Stuck("stuck")), Duration.ofMillis(500));
        registry.register(new BuiltinAgent(task -> {
            throw new IllegalStateException("no model in this test");
        }, BuiltinSettings.DEFAULTS));

        List<AgentInfo> infos = registry.detectAll();

        assertThat(info(infos, "stuck").status()).isEqualTo(Status.SLOW);
        assertThat(info(infos, "stuck").reason()).startsWith("slow: detection did not finish within");
        assertThat(info(infos, "builtin").status()).isEqualTo(Status.READY);
    }

    @Test
    void aSecondDetectionOfAnUnchangedBinaryDoesNotRunIt() {
        Path counter = tmp.resolve("claude.runs");
        FakeClis.counting(bin(), "claude", counter, "2.1.0", 0);

        AgentInfo first = new ClaudeAgent(settings()).detect();
        AgentInfo second = new ClaudeAgent(settings()).detect();
        List<AgentInfo> third = registry(settings()).detectAll();

        assertThat(first.status()).isEqualTo(Status.READY);
        assertThat(first.version()).isEqualTo("2.1.0");
        assertThat(second).isEqualTo(first);
        assertThat(info(third, "claude")).isEqualTo(first);
        assertThat(FakeClis.runs(counter)).as("--version ran once for three detections").isEqualTo(1);
    }

    @Test
    void aBinaryThatChangedIsAskedAgain() throws Exception {
        Path counter = tmp.resolve("claude.runs");
        Path script = FakeClis.counting(bin(), "claude", counter, "2.1.0", 0);
        assertThat(new ClaudeAgent(settings()).detect().version()).isEqualTo("2.1.0");

        // An upgrade: new content, so a new size.
        FakeClis.counting(bin(), "claude", counter, "2.10.0", 0);
        assertThat(new ClaudeAgent(settings()).detect().version()).isEqualTo("2.10.0");
        assertThat(FakeClis.runs(counter)).isEqualTo(2);

        // Same size, only the modification time moved.
        Files.setLastModifiedTime(script, FileTime.fromMillis(Files.getLastModifiedTime(script).toMillis() - 60_000));
        assertThat(new ClaudeAgent(settings()).detect().version()).isEqualTo("2.10.0");
        assertThat(FakeClis.runs(counter)).isEqualTo(3);

        // A symlink re-pointed at another build of the same size and time.
        Path other = FakeClis.counting(tmp.resolve("other"), "claude", counter, "2.10.0", 0);
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(script));
        Path link = tmp.resolve("linked/claude");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, script);
        CliSettings linked = FakeClis.settings(tmp).withSearchDirs(List.of(link.getParent()));
        new ClaudeAgent(linked).detect();
        assertThat(FakeClis.runs(counter)).isEqualTo(4);
        Files.delete(link);
        Files.createSymbolicLink(link, other);
        new ClaudeAgent(linked).detect();
        assertThat(FakeClis.runs(counter)).isEqualTo(5);
        new ClaudeAgent(linked).detect();
        assertThat(FakeClis.runs(counter)).isEqualTo(5);
    }

    @Test
    void aCorruptCacheFileIsIgnoredAndRewritten() throws Exception {
        Path counter = tmp.resolve("claude.runs");
        FakeClis.counting(bin(), "claude", counter, "2.1.0", 0);
        Path file = settings().detectionCache();
        Files.writeString(file, "{\"format\": 1, \"entries\": [ {\"agent\": \"claude\", \"bin");

        assertThat(new ClaudeAgent(settings()).detect().version()).isEqualTo("2.1.0");
        JsonNode rewritten = JsonLineParser.JSON.readTree(Files.readString(file));
        assertThat(rewritten.path("entries").findValuesAsString("agent")).containsExactly("claude");
        assertThat(rewritten.path("entries").get(0).path("binary").asString()).isEqualTo(bin().resolve("claude").toAbsolutePath().toString());
        assertThat(new ClaudeAgent(settings()).detect().version()).isEqualTo("2.1.0");
        assertThat(FakeClis.runs(counter)).isEqualTo(1);

        // Valid JSON of the wrong shape, and an entry with a field of the wrong type: ignored too.
        Files.writeString(file, "[1, 2, 3]");
        assertThat(new ClaudeAgent(settings()).detect().status()).isEqualTo(Status.READY);
        Files.writeString(file, Files.readString(file).replace("\"size\" : ", "\"size\" : \"x\", \"was\" : "));
        assertThat(new ClaudeAgent(settings()).detect().status()).isEqualTo(Status.READY);
        assertThat(FakeClis.runs(counter)).isEqualTo(3);
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aFailedCheckIsNotRemembered() throws Exception {
        // The same binary fails while a flag file exists (node missing, say), then answers.
        Path flag = tmp.resolve("broken");
        Files.writeString(flag, "");
        Files.createDirectories(bin());
        Path script = bin().resolve("gemini");
        Files.writeString(script, "#!/bin/sh\nif [ -f '" + flag + "' ]; then echo 'node: not found' >&2; exit 127; fi\necho 0.61.0\n");
        script.toFile().setExecutable(true);

        AgentInfo broken = new GeminiAgent(settings()).detect();
        Files.delete(flag);
        AgentInfo fixed = new GeminiAgent(settings()).detect();

        assertThat(broken.status()).isEqualTo(Status.UNUSABLE);
        assertThat(broken.reason()).contains("exited with code 127").contains("node: not found");
        assertThat(fixed.status()).isEqualTo(Status.READY);
        assertThat(fixed.version()).isEqualTo("0.61.0");
    }

    @Test
    void withoutACacheFileEveryDetectionAsks() {
        Path counter = tmp.resolve("claude.runs");
        FakeClis.counting(bin(), "claude", counter, "2.1.0", 0);
        CliSettings settings = settings().withDetectionCache(null);

        new ClaudeAgent(settings).detect();
        new ClaudeAgent(settings).detect();

        assertThat(FakeClis.runs(counter)).isEqualTo(2);
    }

    @Test
    void theCacheFileAndTheLimitFollowTheEnvironment() {
        Path home = tmp.resolve("home");
        CliSettings fromHome = CliSettings.defaults(Map.of("HOME", home.toString()));
        assertThat(fromHome.detectionCache()).isEqualTo(home.resolve(".cache/ensemble/agents.json"));
        assertThat(fromHome.cacheDir()).isEqualTo(home.resolve(".cache/ensemble/agent-clis"));
        assertThat(fromHome.versionTimeout()).isEqualTo(CliSettings.VERSION_TIMEOUT);

        CliSettings fromXdg = CliSettings.defaults(Map.of("HOME", home.toString(), "XDG_CACHE_HOME", tmp.resolve("xdg").toString(),
                "ENSEMBLE_AGENT_VERSION_TIMEOUT", "30s"));
        assertThat(fromXdg.detectionCache()).isEqualTo(tmp.resolve("xdg/ensemble/agents.json"));
        assertThat(fromXdg.versionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(CliSettings.defaults(Map.of("PATH", "/opt/a::/opt/b")).pathDirs()).containsExactly(Path.of("/opt/a"), Path.of("/opt/b"));

        assertThat(CliSettings.parseTimeout("750ms")).contains(Duration.ofMillis(750));
        assertThat(CliSettings.parseTimeout("12")).contains(Duration.ofSeconds(12));
        assertThat(CliSettings.parseTimeout("0")).isEmpty();
        assertThat(CliSettings.parseTimeout("soon")).isEmpty();
        assertThat(CliSettings.defaults(Map.of("XDG_CACHE_HOME", "relative/path", "HOME", home.toString())).detectionCache())
                .as("a relative XDG_CACHE_HOME is ignored, as the spec says").isEqualTo(home.resolve(".cache/ensemble/agents.json"));
    }

    /** An agent whose detection never returns on its own (it waits to be interrupted). */
    private record Stuck(String name) implements Agent {
        @Override
        public AgentInfo detect() {
            try {
                Thread.sleep(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new AgentInfo(name, Optional.empty(), "1", true, "", Set.of(WireProtocol.OLLAMA));
        }

        @Override
        public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
            throw new UnsupportedOperationException();
        }
    }
}
