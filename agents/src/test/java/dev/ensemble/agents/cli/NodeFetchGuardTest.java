package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetch guard preloaded into cn, run by a real Node: a fetch to the vendor's domain is refused
 * before any connection and noted without its query (cn's carries the machine id), a fetch to the
 * model server on loopback goes through, and the agent's own child processes do not inherit the
 * guard. Skipped where no {@code node} is on PATH.
 */
class NodeFetchGuardTest {
    @TempDir Path tmp;

    @Test
    void refusesTheVendorsDomainOnlyNotesItAndIsNotInherited() throws Exception {
        Path node = node();
        try (ScriptedModelServer server = ScriptedModelServer.start();
             PrivateHome home = PrivateHome.open(FakeClis.settings(tmp), "cn", Optional.empty())) {
            Map<String, String> env = NodeFetchGuard.install(home, ContinueAgent.VENDOR_DOMAINS);
            String program = """
                    const out = [];
                    const tryFetch = (u) => fetch(u).then((r) => out.push(u + ' ' + r.status), (e) => out.push(u + ' refused: ' + e.message));
                    (async () => {
                      await tryFetch('https://api.continue.dev/cn/info?id=MACHINE-ID-123');
                      await tryFetch(new URL('https://hub.continue.dev/x'));
                      await tryFetch('%s/v1/models');
                      out.push('child NODE_OPTIONS=' + require('child_process').execSync('echo "$NODE_OPTIONS"').toString().trim());
                      console.log(out.join('\\n'));
                    })();
                    """.formatted(server.baseUrl());
            ProcessBuilder builder = new ProcessBuilder(node.toString(), "-e", program).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(output).as(output)
                    .contains("https://api.continue.dev/cn/info?id=MACHINE-ID-123 refused: fetch failed: api.continue.dev is blocked by ensemble")
                    .contains("https://hub.continue.dev/x refused")
                    .contains(server.baseUrl() + "/v1/models 200")
                    .contains("child NODE_OPTIONS=\n").doesNotContain("child NODE_OPTIONS=--require");
            String log = Files.readString(home.resolve(NodeFetchGuard.LOG));
            assertThat(log).contains("https://api.continue.dev/cn/info").doesNotContain("MACHINE-ID");

            List<AgentEvent> events = NodeFetchGuard.blocked(home, "cn", "its vendor's API");
            List<String> texts = new ArrayList<>();
            for (AgentEvent event : events) texts.add(((AgentEvent.Message) event).text());
            assertThat(texts).containsExactly(
                    "ensemble blocked cn's request to https://api.continue.dev/cn/info (its vendor's API; agents run offline)",
                    "ensemble blocked cn's request to https://hub.continue.dev/x (its vendor's API; agents run offline)");
            assertThat(NodeFetchGuard.blocked(home, "cn", "again")).as("each refusal is reported once").isEmpty();
        }
    }

    private static Path node() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (!dir.isBlank() && Files.isExecutable(candidate)) return candidate;
        }
        Assumptions.abort("no node on PATH");
        throw new IOException("unreachable");
    }
}
