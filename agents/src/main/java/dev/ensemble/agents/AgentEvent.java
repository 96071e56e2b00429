package dev.ensemble.agents;

import java.time.Instant;

/** What an agent did, as it happened: for transcripts and live views. Parsed from each CLI's own event stream. */
public sealed interface AgentEvent {
    Instant at();

    /** Text the agent said (a final or intermediate message). */
    record Message(Instant at, String text) implements AgentEvent {}

    /** A tool the agent called, with its input as the CLI reported it (JSON text when it is JSON). */
    record ToolUse(Instant at, String tool, String input) implements AgentEvent {}

    /** What a tool call returned to the agent's model (the start of it), or the error it gave. */
    record ToolResult(Instant at, String tool, String output, boolean error) implements AgentEvent {}

    /** A shell command the agent ran, with its exit code (-1 when unknown) and the start of its output. */
    record CommandRun(Instant at, String command, int exitCode, String output) implements AgentEvent {}

    /** An error the agent or its model reported; not necessarily fatal. */
    record Error(Instant at, String message) implements AgentEvent {}

    /**
     * The agent's session, as soon as its CLI names it: stored at once, so that after a crash the
     * interrupted run can be resumed by this id.
     */
    record Session(Instant at, String sessionId) implements AgentEvent {}

    /** A line of output ensemble could not parse; kept for the transcript. */
    record Raw(Instant at, String line) implements AgentEvent {}

    /**
     * One upstream request the agent made through ensemble's gateway, as its ledger row says:
     * the model that answered, tokens, cost, latency and {@code outcome} ("ok", or the error kind
     * such as "RATE_LIMITED" or "CLIENT_GONE"). Names and numbers only, never prompt or answer.
     */
    record ModelCall(Instant at, String model, String provider, long inputTokens, long outputTokens, double costUsd,
                     java.time.Duration latency, String outcome) implements AgentEvent {}
}
