package dev.ensemble.agents.cli;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agents ensemble can dispatch to, by name: every CLI adapter, plus whatever the caller
 * registers (the builtin agent). Detection of all of them runs in parallel, one virtual thread
 * per agent, since each may start a Node program to ask its version.
 */
public final class AgentRegistry {
    /** How long detectAll waits for an agent that is not a CLI (or whose settings are unknown). */
    static final Duration DEFAULT_DETECT_LIMIT = Duration.ofSeconds(10);

    /** How long detectAll waits, after its answer, for the checks it gave up on to clean up. */
    private static final Duration CLEANUP_LIMIT = Duration.ofSeconds(3);

    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final Duration detectLimit;

    public AgentRegistry(List<? extends Agent> initial) {
        this(initial, DEFAULT_DETECT_LIMIT);
    }

    /** {@code detectLimit}: how long {@link #detectAll()} waits for any one agent before reporting it slow. */
    public AgentRegistry(List<? extends Agent> initial, Duration detectLimit) {
        if (detectLimit.isNegative() || detectLimit.isZero()) throw new IllegalArgumentException("detect limit must be positive");
        this.detectLimit = detectLimit;
        initial.forEach(this::register);
    }

    /**
     * claude, codex, opencode, gemini, qwen, cn and aider, with these settings. Each version check
     * has its own deadline ({@link CliSettings#versionTimeout()}); the registry's limit only adds
     * the time to kill what did not answer.
     */
    public static AgentRegistry withCliAgents(CliSettings settings) {
        return new AgentRegistry(cliAgents(settings), settings.versionTimeout().plusSeconds(3));
    }

    public static List<CliAgent> cliAgents(CliSettings settings) {
        return List.of(new ClaudeAgent(settings), new CodexAgent(settings), new OpencodeAgent(settings),
                new GeminiAgent(settings), new QwenAgent(settings), new ContinueAgent(settings), new AiderAgent(settings));
    }

    /** Adds an agent, or replaces the one with the same name. */
    public synchronized AgentRegistry register(Agent agent) {
        agents.put(agent.name(), agent);
        return this;
    }

    public synchronized List<Agent> agents() {
        return List.copyOf(agents.values());
    }

    public synchronized Set<String> names() {
        return Set.copyOf(agents.keySet());
    }

    public synchronized Optional<Agent> byName(String name) {
        return Optional.ofNullable(agents.get(name));
    }

    /**
     * Every agent's detection, in registration order, each on its own thread: an agent whose
     * detect() throws is reported missing, and one that has not answered within the detect limit
     * is reported slow (its thread is interrupted, which kills its version check) while the
     * answers that arrived are kept. So one slow CLI hides no other, and the builtin agent, which
     * needs no process, is always reported as it is.
     */
    public List<AgentInfo> detectAll() {
        List<Agent> all = agents();
        List<AgentInfo> infos = new ArrayList<>(all.size());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<AgentInfo>> futures = all.stream().map(agent -> pool.submit(() -> detectSafely(agent))).toList();
            long deadline = System.nanoTime() + detectLimit.toNanos();
            for (int i = 0; i < all.size(); i++) {
                Agent agent = all.get(i);
                try {
                    infos.add(futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    futures.get(i).cancel(true);
                    infos.add(notAnswered(agent));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.get(i).cancel(true);
                    infos.add(notAnswered(agent));
                } catch (ExecutionException | RuntimeException e) {
                    infos.add(AgentInfo.missing(agent.name(), "detection failed: " + e.getMessage(), Set.of()));
                }
            }
        } finally {
            // A cancelled version check, interrupted, kills its process tree; that gets a bounded
            // wait, so no check outlives the command, and an agent that ignores interrupts cannot hold it.
            pool.shutdownNow();
            try {
                pool.awaitTermination(CLEANUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return infos;
    }

    private AgentInfo notAnswered(Agent agent) {
        String reason = "slow: detection did not finish within " + detectLimit.toSeconds() + " s";
        if (agent instanceof CliAgent cli) return AgentInfo.slow(agent.name(), cli.binary(), reason, cli.drives());
        return AgentInfo.slow(agent.name(), Optional.empty(), reason, Set.of());
    }

    private static AgentInfo detectSafely(Agent agent) {
        try {
            return agent.detect();
        } catch (RuntimeException e) {
            return AgentInfo.missing(agent.name(), "detection failed: " + e.getMessage(), Set.of());
        }
    }
}
