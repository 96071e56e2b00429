package dev.ensemble.agents.cli;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The agents ensemble can dispatch to, by name: every CLI adapter, plus whatever the caller
 * registers (the builtin agent). Detection of all of them runs in parallel, one virtual thread
 * per agent, since each may start a Node program to ask its version.
 */
public final class AgentRegistry {
    private final Map<String, Agent> agents = new LinkedHashMap<>();

    public AgentRegistry(List<? extends Agent> initial) {
        initial.forEach(this::register);
    }

    /** claude, codex, opencode, gemini, qwen, cn and aider, with these settings. */
    public static AgentRegistry withCliAgents(CliSettings settings) {
        return new AgentRegistry(cliAgents(settings));
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

    /** Every agent's detection, in registration order; an agent whose detect() throws is reported missing. */
    public List<AgentInfo> detectAll() {
        List<Agent> all = agents();
        List<AgentInfo> infos = new ArrayList<>(all.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<AgentInfo>> futures = all.stream().map(agent -> pool.submit(() -> detectSafely(agent))).toList();
            for (int i = 0; i < all.size(); i++) {
                try {
                    infos.add(futures.get(i).get());
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    infos.add(AgentInfo.missing(all.get(i).name(), "detection failed: " + e.getMessage(), Set.of()));
                }
            }
        }
        return infos;
    }

    private static AgentInfo detectSafely(Agent agent) {
        try {
            return agent.detect();
        } catch (RuntimeException e) {
            return AgentInfo.missing(agent.name(), "detection failed: " + e.getMessage(), Set.of());
        }
    }
}
