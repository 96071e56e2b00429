package dev.ensemble.bench;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.agents.process.Endpoint;
import dev.ensemble.agents.process.Launch;
import dev.ensemble.agents.process.LaunchSpec;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.process.NetworkRule;
import dev.ensemble.agents.process.Sandbox;
import dev.ensemble.agents.process.SandboxProbe;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the sandbox adds to one {@code exec}: the agent's launch is the only step of an exec that
 * differs with {@code policy.sandbox} (worktree, guard, commit, enforce and merge are the same), so
 * this times the launch of a fake CLI agent in a real task worktree, through the {@link Launcher}
 * exactly as {@code exec} starts a CLI agent (checkout and home hidden, worktree writable, private
 * git state, gateway-only network with a loopback "gateway" forwarded in), from start to the end of
 * {@code Launch.close()}: bubblewrap against unconfined, alternating, 2 warm-ups then the median
 * and p90 of {@code --runs} each. The fake CLI makes one request to the gateway (so the forward is
 * used, as every real agent's first request uses it) and writes one file.
 *
 * <p>Run: {@code ./mvnw -q -B package -pl bench -am -DskipTests && $JAVA_HOME/bin/java -cp
 * bench/target/benchmarks.jar dev.ensemble.bench.SandboxOverheadBenchmark [--runs 20]}
 */
public final class SandboxOverheadBenchmark {
    private SandboxOverheadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length >= 2 && args[0].equals("--runs") ? Integer.parseInt(args[1]) : 20;
        Sandbox sandbox = SandboxProbe.detect();
        if (!(sandbox instanceof Sandbox.Bubblewrap)) {
            System.out.println("no bubblewrap here: " + sandbox.describe());
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("ensemble-sandbox-bench");
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Git git = Git.in(repo);
        git.ok("init", "-q", "-b", "main");
        git.ok("config", "user.email", "b@example.com");
        git.ok("config", "user.name", "b");
        Files.writeString(repo.resolve("README.md"), "bench\n");
        git.ok("add", "-A");
        git.ok("commit", "-q", "-m", "init");
        Workspace ws = new WorkspaceManager(repo).create("bench", "task", "HEAD", List.of());

        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        gateway.start();
        Endpoint endpoint = new Endpoint("127.0.0.1", gateway.getAddress().getPort());
        String script = "curl -s -m 5 http://127.0.0.1:" + endpoint.port() + "/v1/messages > /dev/null; echo done > hello.txt; "
                + "echo '{\"type\":\"result\"}'";
        Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "LANG", "C.UTF-8");
        LaunchSpec spec = LaunchSpec.inWorktree(List.of("/bin/sh", "-c", script), ws.directory(), Optional.of(ws.gitDir()), repo, env)
                .withGateway(Optional.of(endpoint)).withNetwork(NetworkRule.GATEWAY_ONLY).withMergedStderr();
        Launcher off = Launcher.unconfined().withKillGrace(Duration.ofMillis(300));
        Launcher on = new Launcher(sandbox, NetworkRule.GATEWAY_ONLY, NetworkRule.GATEWAY_ONLY, Duration.ofMillis(300));

        for (int i = 0; i < 2; i++) {
            once(off, spec);
            once(on, spec);
        }
        List<Double> offMs = new ArrayList<>();
        List<Double> onMs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            offMs.add(once(off, spec));
            onMs.add(once(on, spec));
        }
        gateway.stop(0);
        String load = Files.readString(Path.of("/proc/loadavg")).strip();
        System.out.printf(Locale.ROOT, "%s; %d runs each; load average %s%n", sandbox.describe(), runs, load);
        System.out.printf(Locale.ROOT, "| launch of one fake CLI agent, ms | median | p90 |%n|---|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| unconfined (policy.sandbox: off) | %.1f | %.1f |%n", pct(offMs, 50), pct(offMs, 90));
        System.out.printf(Locale.ROOT, "| bubblewrap, gateway-only | %.1f | %.1f |%n", pct(onMs, 50), pct(onMs, 90));
        System.out.printf(Locale.ROOT, "| **added by the sandbox (difference of medians)** | **%.1f** | |%n", pct(onMs, 50) - pct(offMs, 50));
    }

    private static double once(Launcher launcher, LaunchSpec spec) throws Exception {
        long t0 = System.nanoTime();
        try (Launch launch = launcher.start(spec)) {
            launch.stdout().transferTo(OutputStream.nullOutputStream());
            if (!launch.waitFor(Duration.ofSeconds(30))) throw new IllegalStateException("the fake agent did not finish");
            if (launch.exitCode() != 0) throw new IllegalStateException("the fake agent failed: " + launch.exitCode());
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double pct(List<Double> samples, int p) {
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(Double::compare);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
