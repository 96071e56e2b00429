package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRegistryTest {
    @TempDir Path tmp;

    @Test
    void holdsEveryCliAdapterWithTheWiresItDrives() {
        AgentRegistry registry = AgentRegistry.withCliAgents(FakeClis.settings(tmp));

        assertThat(registry.agents()).extracting(Agent::name).containsExactly("claude", "codex", "opencode", "gemini", "qwen", "cn", "aider");
        Map<String, Set<WireProtocol>> wires = Map.of(
                "claude", Set.of(WireProtocol.ANTHROPIC), "codex", Set.of(WireProtocol.OPENAI_RESPONSES),
                "opencode", Set.of(WireProtocol.OPENAI_CHAT), "gemini", Set.of(WireProtocol.GEMINI),
                "qwen", Set.of(WireProtocol.OPENAI_CHAT), "cn", Set.of(WireProtocol.OPENAI_CHAT),
                "aider", Set.of(WireProtocol.OPENAI_CHAT, WireProtocol.ANTHROPIC, WireProtocol.GEMINI, WireProtocol.OLLAMA));
        wires.forEach((name, drives) -> assertThat(((CliAgent) registry.byName(name).orElseThrow()).drives()).as(name).isEqualTo(drives));
        assertThat(registry.byName("crush")).isEmpty();
    }

    @Test
    void detectsInstalledAndMissingAgents() {
        Path bin = tmp.resolve("bin");
        FakeClis.install(bin, "version.sh", "claude");
        FakeClis.install(bin, "version.sh", "codex");
        FakeClis.install(bin, "crash.sh", "gemini");
        CliSettings settings = FakeClis.settings(tmp).withSearchDirs(List.of(bin))
                .withBinary("opencode", tmp.resolve("missing/opencode")).withBinary("qwen", tmp.resolve("missing/qwen"))
                .withBinary("cn", tmp.resolve("missing/cn")).withBinary("aider", tmp.resolve("missing/aider"));

        List<AgentInfo> infos = AgentRegistry.withCliAgents(settings).detectAll();

        assertThat(infos).extracting(AgentInfo::name).containsExactly("claude", "codex", "opencode", "gemini", "qwen", "cn", "aider");
        AgentInfo claude = infos.get(0);
        assertThat(claude.usable()).isTrue();
        assertThat(claude.version()).isEqualTo("9.8.7");
        assertThat(claude.binary()).contains(bin.resolve("claude").toAbsolutePath());
        assertThat(claude.drives()).containsExactly(WireProtocol.ANTHROPIC);
        AgentInfo opencode = infos.get(2);
        assertThat(opencode.usable()).isFalse();
        assertThat(opencode.reason()).contains("not found").contains(".ci/install-agent-clis.sh");
        AgentInfo gemini = infos.get(3);
        assertThat(gemini.usable()).isFalse();
        assertThat(gemini.binary()).isPresent();
        assertThat(gemini.reason()).contains("--version exited with code 3");
    }

    @Test
    void findsBinariesInTheInstallCache() throws Exception {
        Path cache = tmp.resolve("cache");
        FakeClis.install(cache.resolve("bin"), "version.sh", "qwen");
        FakeClis.install(cache.resolve("cn/node_modules/.bin"), "version.sh", "cn");
        CliSettings settings = FakeClis.settings(tmp).withCacheDir(cache);

        assertThat(new QwenAgent(settings).binary()).contains(cache.resolve("bin/qwen").toAbsolutePath());
        assertThat(new ContinueAgent(settings).binary()).contains(cache.resolve("cn/node_modules/.bin/cn").toAbsolutePath());
        assertThat(Files.exists(cache.resolve("bin/cn"))).isFalse();
    }

    @Test
    void detectionRunsInParallel() {
        // Each agent's detect() waits until all of them have started: that finishes only when they run at once.
        int n = 4;
        CountDownLatch started = new CountDownLatch(n);
        AgentRegistry registry = new AgentRegistry(List.of());
        for (int i = 0; i < n; i++) registry.register(new Waiting("w" + i, started));

        List<AgentInfo> infos = registry.detectAll();

        assertThat(infos).hasSize(n).allMatch(AgentInfo::usable);
    }

    @Test
    void theBuiltinAgentCanBeRegisteredAndAThrowingDetectIsReportedMissing() {
        AgentRegistry registry = AgentRegistry.withCliAgents(FakeClis.settings(tmp));
        registry.register(new Waiting("builtin", new CountDownLatch(0)));
        registry.register(new Agent() {
            @Override public String name() { return "broken"; }
            @Override public AgentInfo detect() { throw new IllegalStateException("boom"); }
            @Override public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) { throw new UnsupportedOperationException(); }
        });

        assertThat(registry.byName("builtin")).isPresent();
        AgentInfo broken = registry.detectAll().getLast();
        assertThat(broken.name()).isEqualTo("broken");
        assertThat(broken.usable()).isFalse();
        assertThat(broken.reason()).contains("boom");
    }

    private record Waiting(String name, CountDownLatch started) implements Agent {
        @Override
        public AgentInfo detect() {
            started.countDown();
            try {
                boolean all = started.await(10, TimeUnit.SECONDS);
                return new AgentInfo(name, Optional.empty(), "1", all, all ? "" : "not parallel", Set.of(WireProtocol.OLLAMA));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
            throw new UnsupportedOperationException();
        }
    }
}
