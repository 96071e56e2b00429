package dev.ensemble.gateway;

import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.Router;
import dev.ensemble.gateway.wire.WireCodec;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.SecretResolver;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything a gateway is built from. {@code models} is the model stack it calls (retry, breaker,
 * ledger, the providers' {@code max_concurrency}); {@code secrets} resolves the provider keys the
 * byte-for-byte path sends upstream; {@code ledger} receives that path's attempts (the stack
 * records its own); {@code tap}, when the stack was built with it, hands each of the stack's
 * attempts to the request that made it so its caller is settled per attempt. {@code requireKey}:
 * a request whose key no gatekeeper knows is refused with 401 (otherwise, on loopback, it is let in
 * as {@link Caller.Kind#ANONYMOUS_LOOPBACK}). {@code router} picks for {@code model: auto}.
 * {@code metrics}, when present, is served at {@code GET /metrics}; {@code events} hears of every
 * client request (the metrics' request counters), {@link GatewayEvents#NONE} when nobody counts.
 */
public record GatewayOptions(String host, int port, ChatModels models, SecretResolver secrets, Timeouts timeouts,
                             Map<WireProtocol, WireCodec> codecs, Gatekeeper gatekeeper, boolean requireKey,
                             CallObserver ledger, Optional<AttemptTap> tap, Optional<Router> router,
                             Optional<Supplier<String>> metrics, GatewayEvents events,
                             Optional<AttemptAdmin> admin) {
    public GatewayOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be within 0..65535");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(timeouts, "timeouts");
        codecs = codecs.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(codecs));
        Objects.requireNonNull(gatekeeper, "gatekeeper");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(admin, "admin");
    }

    /** On 127.0.0.1, a free port, no keys asked for, the router built from the catalog for {@code auto}. */
    public static GatewayOptions loopback(ChatModels models, SecretResolver secrets, Timeouts timeouts,
                                          Map<WireProtocol, WireCodec> codecs) {
        return new GatewayOptions("127.0.0.1", 0, models, secrets, timeouts, codecs, Gatekeeper.first(List.of()), false,
                CallObserver.NONE, Optional.empty(), Optional.empty(), Optional.empty(), GatewayEvents.NONE, Optional.empty());
    }

    public GatewayOptions withAddress(String newHost, int newPort) {
        return new GatewayOptions(newHost, newPort, models, secrets, timeouts, codecs, gatekeeper, requireKey, ledger, tap, router, metrics, events, admin);
    }

    public GatewayOptions withGatekeeper(Gatekeeper newGatekeeper, boolean newRequireKey) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, newGatekeeper, newRequireKey, ledger, tap, router, metrics, events, admin);
    }

    /** Where the byte-for-byte path's attempts go, and the tap the stack of {@code models} was built with (if any). */
    public GatewayOptions withLedger(CallObserver newLedger, Optional<AttemptTap> newTap) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, gatekeeper, requireKey, newLedger, newTap, router, metrics, events, admin);
    }

    public GatewayOptions withRouter(Router newRouter) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, gatekeeper, requireKey, ledger, tap,
                Optional.of(newRouter), metrics, events, admin);
    }

    public GatewayOptions withMetrics(Supplier<String> scrape) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, gatekeeper, requireKey, ledger, tap, router,
                Optional.of(scrape), events, admin);
    }

    /**
     * Serves {@code scrape} at {@code GET /metrics} and tells {@code newEvents} about every client
     * request (requests, refusals, fallbacks, open streams): {@code GatewayMetrics} is both.
     */
    public GatewayOptions withMetrics(Supplier<String> scrape, GatewayEvents newEvents) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, gatekeeper, requireKey, ledger, tap, router,
                Optional.of(scrape), newEvents, admin);
    }

    /** Serves {@code newAdmin}'s endpoints, where runs in other processes mint their agents' attempt keys (operator token only). */
    public GatewayOptions withAttemptAdmin(Optional<AttemptAdmin> newAdmin) {
        return new GatewayOptions(host, port, models, secrets, timeouts, codecs, gatekeeper, requireKey, ledger, tap, router,
                metrics, events, newAdmin);
    }
}
