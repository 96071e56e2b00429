package dev.ensemble.agents;

import dev.ensemble.agents.workspace.Workspace;

/**
 * A coding agent ensemble can dispatch a task to: a CLI from some vendor, or ensemble's own
 * tool-using agent. Every agent is governed alike: it works only inside its workspace, and what it
 * changed is judged from git by the Enforcer, whatever the agent says it did.
 */
public interface Agent {

    /** The short name used on the command line and in config: claude, codex, opencode, gemini, qwen, cn, aider, builtin. */
    String name();

    /** Finds the agent on this machine; never throws, and is quick (run in parallel for all agents). */
    AgentInfo detect();

    /**
     * Runs the task in the workspace until the agent stops, fails or reaches the task's timeout
     * (then its whole process tree is killed). Never throws for an agent's failure: that is a
     * FAILED or TIMED_OUT result with a reason.
     */
    AgentResult run(AgentTask task, Workspace workspace, AgentListener listener);
}
