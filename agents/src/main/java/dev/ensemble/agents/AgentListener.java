package dev.ensemble.agents;

/** Receives an agent's events as they happen, on the agent's reading thread. Must be quick and must not throw. */
@FunctionalInterface
public interface AgentListener {
    AgentListener NONE = event -> {};

    void onEvent(AgentEvent event);
}
