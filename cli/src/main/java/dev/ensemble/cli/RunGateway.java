package dev.ensemble.cli;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.GatewayEndpoint;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.ConfigLocator;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.orchestrate.AgentGateway;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.Gateway;
import dev.ensemble.gateway.GatewayOptions;
import dev.ensemble.gateway.GatewayServer;
import dev.ensemble.gateway.OperatorToken;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.RemoteAttempts;
import java.net.URI;
import java.time.Duration;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.gateway.wire.WireCodec;
import dev.ensemble.gateway.wire.WireCodecs;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The gateway {@code exec}, {@code go} and {@code resume} start in-process for a run, on 127.0.0.1
 * and a free port, over the same model stack (ledger, budgets, retries, the providers'
 * {@code max_concurrency}) as ensemble's own calls. Only the run's attempt keys are let in. Off
 * with {@code gateway: { agents: false }}: each CLI then calls its provider itself, as before.
 */
final class RunGateway implements AutoCloseable {
    private final Gateway server;
    private final AgentGateway agents;

    private RunGateway(Gateway server, AgentGateway agents) {
        this.server = server;
        this.agents = agents;
    }

    /** Whether CLI agents go through a gateway ({@code gateway.agents}, default true). */
    static boolean enabled(AppContext app) {
        JsonNode section = app.configLoader().section("gateway");
        return section == null || !section.path("agents").isBoolean() || section.path("agents").asBoolean();
    }


    /**
     * What an agent can drive here: through the gateway, a CLI that speaks a wire it serves drives
     * every wire (so any catalog model); otherwise the wires it speaks itself.
     */
    static AgentInfo drivable(AppContext app, AgentInfo info) {
        if (!enabled(app) || info.name().equals("builtin")) return info;
        Optional<WireProtocol> wire = GatewayEndpoint.wireFor(info.drives(), WireCodecs.all().keySet());
        if (wire.isEmpty()) return info;
        return new AgentInfo(info.name(), info.status(), info.binary(), info.version(), info.reason(), EnumSet.allOf(WireProtocol.class));
    }

    /** Started for a run (or a running gateway's, with {@code gateway.url}), or empty when turned off. */
    static Optional<RunGateway> start(AppContext app) {
        if (!enabled(app)) return Optional.empty();
        RunawayLimits runaway = RunawayLimits.load(app.configLoader().section("policy").get("runaway"),
                ConfigLocator.unplaced("configuration (policy.runaway)"));
        Optional<String> url = url(app);
        if (url.isPresent()) return Optional.of(running(app, url.get(), runaway));
        AttemptKeys keys = new AttemptKeys(app.config().catalog(), app.budget(), app.spendSource(), runaway);
        Map<WireProtocol, WireCodec> codecs = WireCodecs.all();
        GatewayOptions options = GatewayOptions.loopback(app.models(), app.secrets(), app.config().timeouts(), codecs)
                .withGatekeeper(Gatekeeper.first(List.of(keys)), true)
                // The byte-for-byte path's rows go where the stack's go: the ledger, the metrics and the spans.
                .withLedger(app.attemptTap(), Optional.of(app.attemptTap()));
        Gateway server = GatewayServer.start(options);
        return Optional.of(new RunGateway(server, new AgentGateway(new GatewayEndpoint(server.baseUrl(), codecs.keySet()), keys)));
    }

    /** {@code gateway.url}: a running {@code ensemble gateway} to use instead of starting one. */
    static Optional<String> url(AppContext app) {
        JsonNode section = app.configLoader().section("gateway");
        if (section == null || !section.path("url").isString() || section.path("url").asString().isBlank()) return Optional.empty();
        return Optional.of(section.path("url").asString().strip().replaceAll("/+$", ""));
    }

    /**
     * The running gateway at {@code url}: attempt keys are minted there with ENSEMBLE_TOKEN. Checked
     * before anything is dispatched; unusable (no token, not answering, not ours, another token) is
     * bad input (exit 2), not a silent fallback to an in-process gateway the user did not ask for.
     */
    private static RunGateway running(AppContext app, String url, RunawayLimits runaway) {
        String token = app.env(OperatorToken.VARIABLE);
        if (token == null || token.isBlank()) {
            throw new UserInputException("gateway.url is " + url + " but ENSEMBLE_TOKEN is not set: the run mints its agents' keys "
                    + "there with the gateway's operator token; set it, or remove gateway.url to start a gateway in-process");
        }
        URI base;
        try {
            base = URI.create(url);
            if (base.getHost() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) throw new IllegalArgumentException();
        } catch (RuntimeException e) {
            throw new UserInputException("gateway.url " + url + " is not an http(s) URL");
        }
        RemoteAttempts remote = new RemoteAttempts(base, token.strip(), app.budget(), app.spendSource(), runaway,
                RemoteAttempts.storeId(app.store().description()), call -> app.ledger().onCall(call), Duration.ofMillis(200));
        remote.problem().ifPresent(problem -> {
            throw new UserInputException(problem);
        });
        Gateway elsewhere = new Gateway() {
            @Override public String baseUrl() {
                return url;
            }

            @Override public int port() {
                return base.getPort();
            }

            @Override public void close() {
                // Not ours to stop.
            }
        };
        return new RunGateway(elsewhere, new AgentGateway(new GatewayEndpoint(url, WireCodecs.all().keySet()), remote));
    }

    /** A gateway started for a run and handed to its orchestrator; closing it stops the gateway. */
    interface Attached extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Whether any of {@code tasks} may run on a CLI agent: its plan hint, else {@code agentOverride},
     * names an agent other than the builtin one (an unknown name falls back to builtin, as routing does).
     */
    static boolean cliAgentsIn(AppContext app, Optional<String> agentOverride, List<PlanTask> tasks) {
        return tasks.stream().map(t -> t.agent().or(() -> agentOverride).orElse("builtin"))
                .anyMatch(name -> !name.equals("builtin") && app.agents().byName(name).isPresent());
    }

    /**
     * Starts the run's gateway (unless turned off, or {@code cliAgents} is false: a builtin-only run
     * calls its models itself) and points the orchestrator's CLI agents at it.
     */
    static Attached attach(AppContext app, dev.ensemble.engine.orchestrate.Orchestrator orchestrator, boolean cliAgents) {
        Optional<RunGateway> gateway = cliAgents ? start(app) : Optional.empty();
        gateway.ifPresent(g -> {
            orchestrator.throughGateway(g.agents());
            app.terminal().err().println(app.terminal().dim("CLI agents go through ensemble's gateway at " + g.server.baseUrl()
                    + (url(app).isPresent() ? " (gateway.url; " : " (") + "a key per attempt; gateway.agents: false to turn off)"));
        });
        return () -> gateway.ifPresent(RunGateway::close);
    }

    AgentGateway agents() {
        return agents;
    }

    @Override
    public void close() {
        server.close();
    }
}
