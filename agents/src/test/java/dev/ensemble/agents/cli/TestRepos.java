package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Temp git repositories as workspaces, and tasks pointed at a scripted server. */
final class TestRepos {
    static final String KEY = "sk-ensemble-test-secret-4711";
    static final Pricing PRICES = new Pricing(3, 15, 0.3, "test prices", LocalDate.of(2026, 11, 21));

    private TestRepos() {}

    /** A git repository with one commit, used as its own worktree. */
    static Workspace gitWorkspace(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), "test repo\n");
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", "README.md");
        git(dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init");
        return new Workspace(dir, dir, "main", "HEAD", "run1", "task1");
    }

    static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("git " + command + " failed: " + out);
    }

    static ModelSpec model(String wireName) {
        return new ModelSpec("test-" + wireName, "scripted", wireName, "test", PRICES, 128_000, 8_192, 50, false, true, Map.of());
    }

    static ProviderSpec provider(WireProtocol wire, String baseUrl) {
        return new ProviderSpec("scripted", wire, baseUrl, Optional.empty(), false);
    }

    static AgentTask task(String prompt, ModelSpec model, ProviderSpec provider, Duration timeout) {
        return new AgentTask("run1", "task1", prompt, model, provider, Optional.of(KEY), List.of("hello.txt"), timeout,
                Optional.empty());
    }
}
