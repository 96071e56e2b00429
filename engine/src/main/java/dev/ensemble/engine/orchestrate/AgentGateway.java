package dev.ensemble.engine.orchestrate;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.AgentTask;
import dev.ensemble.agents.GatewayEndpoint;
import dev.ensemble.agents.cli.CliAgent;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.attempt.AttemptIssuer;
import dev.ensemble.gateway.attempt.IssuedAttempt;
import dev.ensemble.gateway.attempt.Refusal;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway a run's CLI agents talk through: where it listens and who makes the keys of the run's
 * attempts (this process's gateway, or a running one's {@code gateway.url}). {@link #run} gives one attempt a key of its own, points the agent at the gateway with
 * it, and stops the agent (its whole process tree) the moment the gateway refuses the attempt a
 * request; the attempt's cost is then what the gateway metered, row by row, not what the CLI said.
 */
public record AgentGateway(GatewayEndpoint endpoint, AttemptIssuer keys) {

    public AgentGateway {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(keys, "keys");
    }

    /** Whether this agent's traffic can go through the gateway: a CLI that speaks one of the wires it serves. */
    public boolean routes(Agent agent) {
        return agent instanceof CliAgent cli && endpoint.wireFor(cli.drives()).isPresent();
    }

    /** How an attempt through the gateway ended: the agent's result with the metered usage and cost, and what the gateway kept. */
    public record Metered(AgentResult result, Optional<Refusal> refusal, String conversationSummary, int calls) {}

    /**
     * Runs {@code task} on {@code agent} through the gateway under {@code context} (the run, task,
     * role, attempt and fallback step every ledger row of the attempt carries). The key is revoked
     * when this returns, whatever happened.
     */
    public Metered run(Agent agent, AgentTask task, CallContext context, Workspace workspace, AgentListener listener) {
        CliAgent cli = (CliAgent) agent;
        WireProtocol wire = endpoint.wireFor(cli.drives()).orElseThrow(
                () -> new IllegalArgumentException(agent.name() + " speaks no wire the gateway serves"));
        Stopper stopper = new Stopper(Thread.currentThread());
        AgentListener events = listener == null ? AgentListener.NONE : listener;
        // Without an OS sandbox a flagged tool call is stopped before the agent gets it; inside one, only reported.
        ToolCallAuditor auditor = new ToolCallAuditor(workspace.directory(), java.nio.file.Path.of(System.getProperty("user.home")));
        // Each upstream request is an event of the run as it happens (transcript and live view), besides its ledger row.
        try (IssuedAttempt attempt = keys.issue(context, refusal -> stopper.stop(), call -> events.onEvent(modelCall(call)),
                Optional.of(auditor), !cli.sandboxed())) {
            AgentTask routed = endpoint.route(task, wire, attempt.secret());
            AgentResult result;
            stopper.arm();
            try {
                result = agent.run(routed, workspace, events);
            } finally {
                stopper.disarm();
            }
            // Revoked before it is read: a running gateway's last rows arrive with the revocation.
            attempt.close();
            Optional<Refusal> refusal = attempt.refusal();
            if (cli.sandboxed()) {
                attempt.flagged().forEach(f -> events.onEvent(new AgentEvent.Error(Instant.now(), "tool-call auditor, reported only (the "
                        + "sandbox confines the agent): " + dev.ensemble.core.Redactor.global().redact(f.describe()))));
            }
            refusal.ifPresent(r -> events.onEvent(new AgentEvent.Error(Instant.now(), "stopped by the gateway: " + r.describe())));
            AgentResult metered = new AgentResult(refusal.isPresent() ? AgentResult.Status.FAILED : result.status(), result.finalMessage(),
                    result.filesChanged(), attempt.usage(), attempt.costUsd(), result.reportedCostUsd(), result.sessionId(),
                    result.exitCode(), result.duration(), refusal.map(Refusal::describe).orElse(result.failureReason()), result.events());
            return new Metered(metered, refusal, attempt.conversationSummary(), attempt.calls());
        }
    }

    static AgentEvent.ModelCall modelCall(CallRecord call) {
        return new AgentEvent.ModelCall(call.startedAt() == null ? Instant.now() : call.startedAt(), call.modelId(), call.provider(),
                call.usage().inputTokens(), call.usage().outputTokens(), call.costUsd(), call.latency(),
                call.outcome() == CallRecord.Outcome.OK ? "ok" : call.errorKind());
    }

    /**
     * Stops the agent from the gateway's request thread: the thread waiting on the agent process
     * is interrupted, and the process runner kills the whole tree. Only while the agent runs, so a
     * late refusal cannot interrupt what the attempt does after it (commits, the judge).
     */
    private static final class Stopper {
        private final Thread owner;
        private boolean armed;
        private boolean stopped;

        Stopper(Thread owner) {
            this.owner = owner;
        }

        synchronized void arm() {
            armed = true;
        }

        synchronized void disarm() {
            armed = false;
            // A stop that came as the agent ended must not reach the next step; any other interrupt stays.
            if (stopped) Thread.interrupted();
        }

        synchronized void stop() {
            if (armed && !stopped) {
                stopped = true;
                owner.interrupt();
            }
        }
    }
}
