package dev.ensemble.agents.workspace;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A test-only agent that runs one shell script from {@code fake-agents/} with the worktree as its
 * working directory and {@code MAIN_REPO} set to the main repository: the scripted misbehaviours
 * of the enforcement battery. What it changed is judged from git, like any agent's.
 */
public final class ScriptAgent implements Agent {
    private final String script;

    public ScriptAgent(String script) {
        this.script = script;
    }

    /** A task for the script: only runId, taskId and owned paths matter here. */
    public static AgentTask task(String runId, String taskId, List<String> owned) {
        ModelSpec model = new ModelSpec("fake", "fake", "fake", "fake", Pricing.FREE, 1000, 100, 1, true, false, Map.of());
        ProviderSpec provider = new ProviderSpec("fake", WireProtocol.OLLAMA, "http://127.0.0.1:1", Optional.empty(), true);
        return new AgentTask(runId, taskId, "misbehave", model, provider, Optional.empty(), owned, Duration.ofSeconds(30),
                Optional.empty());
    }

    @Override
    public String name() {
        return "script:" + script;
    }

    @Override
    public AgentInfo detect() {
        return new AgentInfo(name(), Optional.of(scriptPath()), "test", true, "", Set.of());
    }

    @Override
    public AgentResult run(AgentTask task, Workspace workspace, AgentListener listener) {
        Instant start = Instant.now();
        List<AgentEvent> events = new ArrayList<>();
        try {
            ProcessBuilder builder = new ProcessBuilder("sh", scriptPath().toString())
                    .directory(workspace.directory().toFile()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
            builder.environment().put("MAIN_REPO", workspace.repoRoot().toString());
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(task.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return result(AgentResult.Status.TIMED_OUT, -1, "timed out", events, start);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            AgentEvent.CommandRun ran = new AgentEvent.CommandRun(Instant.now(), script, process.exitValue(), output);
            events.add(ran);
            listener.onEvent(ran);
            return process.exitValue() == 0
                    ? result(AgentResult.Status.SUCCEEDED, 0, "", events, start)
                    : result(AgentResult.Status.FAILED, process.exitValue(), "script failed: " + output, events, start);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(AgentResult.Status.FAILED, -1, "interrupted", events, start);
        }
    }

    private AgentResult result(AgentResult.Status status, int exit, String reason, List<AgentEvent> events, Instant start) {
        return new AgentResult(status, "done", List.of(), Usage.ZERO, 0, java.util.OptionalDouble.empty(), Optional.empty(), exit,
                Duration.between(start, Instant.now()), reason, events);
    }

    private Path scriptPath() {
        URL url = ScriptAgent.class.getResource("/fake-agents/" + script + ".sh");
        if (url == null) throw new IllegalArgumentException("no fake agent " + script);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
