package dev.ensemble.gateway.observe;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.GatewayEvents;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's and ensemble's own model calls as Prometheus metrics ({@code GET /metrics}).
 * Two levels, so that nothing is counted twice:
 * <ul>
 *   <li><b>upstream attempts</b>, from every ledger row ({@link CallObserver}): per catalog model
 *       and provider — {@code ensemble_model_calls_total{outcome}}, {@code ensemble_model_errors_total{kind}},
 *       {@code ensemble_model_fallbacks_total} (the first attempt at the second or later model of a
 *       chain), {@code ensemble_model_tokens_total{type=input|output}}, {@code ensemble_model_cost_usd_total},
 *       and the histograms {@code ensemble_model_latency_seconds} and {@code ensemble_model_time_to_first_token_seconds};</li>
 *   <li><b>client requests</b>, told by the server: per client wire and requested model (a catalog
 *       model, alias or {@code auto}; anything else is {@code other}) —
 *       {@code ensemble_gateway_requests_total{status}}, {@code ensemble_gateway_request_seconds},
 *       {@code ensemble_gateway_time_to_first_byte_seconds}, {@code ensemble_gateway_refused_total{reason}},
 *       {@code ensemble_gateway_fallbacks_total} and the gauge {@code ensemble_gateway_active_streams}.</li>
 * </ul>
 * The gauge {@code ensemble_budget_left_usd{scope=day|key,key}} is read from a supplier at each
 * scrape. Label values are names (models, providers, keys, wires) and fixed words, never a
 * secret and never free text from a client. Every method is quick and never throws.
 */
public final class GatewayMetrics implements CallObserver, GatewayEvents {
    private static final Duration[] LATENCY_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final Duration[] FIRST_TOKEN_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    private final PrometheusMeterRegistry registry;
    private final Labels labels;
    private final Map<WireProtocol, AtomicInteger> activeStreams = new EnumMap<>(WireProtocol.class);
    private final MultiGauge budgetGauge;
    private final List<Supplier<List<BudgetLeft>>> budgetSources = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GatewayMetrics(Catalog catalog) {
        this.labels = new Labels(Objects.requireNonNull(catalog, "catalog"));
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (WireProtocol wire : WireProtocol.values()) {
            AtomicInteger count = new AtomicInteger();
            activeStreams.put(wire, count);
            Gauge.builder("ensemble.gateway.active.streams", count, AtomicInteger::get)
                    .description("streamed answers being sent to clients now")
                    .tag("wire", wire.key()).register(registry);
        }
        this.budgetGauge = MultiGauge.builder("ensemble.budget.left").baseUnit("usd")
                .description("money left under a budget: the day's, or a virtual key's").register(registry);
    }

    /**
     * One more place the budget gauges read from at each scrape: the day's budget (AppContext adds
     * it), each virtual key's (the key store adds them). A source that throws shows no rows that scrape.
     */
    public GatewayMetrics addBudgetSource(Supplier<List<BudgetLeft>> source) {
        budgetSources.add(Objects.requireNonNull(source, "source"));
        return this;
    }

    // ------------------------------------------------------------------ upstream attempts

    @Override
    public void onCall(CallRecord call) {
        try {
            Tags at = Tags.of("model", labels.catalogName(call.modelId()), "provider", labels.catalogName(call.provider()));
            boolean ok = call.outcome() == CallRecord.Outcome.OK;
            counter("ensemble.model.calls", "upstream attempts at a model", at.and("outcome", ok ? "ok" : "error")).increment();
            if (!ok) counter("ensemble.model.errors", "failed upstream attempts, by kind", at.and("kind", Labels.word(call.errorKind()))).increment();
            if (call.context().fallbackStep() > 0 && call.context().attempt() == 1) {
                counter("ensemble.model.fallbacks", "times a fallback chain moved on to this model", at).increment();
            }
            counter("ensemble.model.tokens", "tokens sent and received", at.and("type", "input")).increment(call.usage().inputTokens());
            counter("ensemble.model.tokens", "tokens sent and received", at.and("type", "output")).increment(call.usage().outputTokens());
            Counter.builder("ensemble.model.cost").baseUnit("usd").description("cost of upstream attempts in USD")
                    .tags(at).register(registry).increment(call.costUsd());
            timer("ensemble.model.latency", "an upstream attempt from request to last byte", LATENCY_BUCKETS, at)
                    .record(call.latency());
            if (call.streamed() && call.timeToFirstToken().compareTo(Duration.ZERO) > 0) {
                timer("ensemble.model.time.to.first.token", "a streamed attempt's time to its first text",
                        FIRST_TOKEN_BUCKETS, at).record(call.timeToFirstToken());
            }
        } catch (RuntimeException ignored) {
            // metrics must never change a call's outcome
        }
    }

    // ------------------------------------------------------------------ client requests (the server tells these)

    /** A client's request answered (or failed) with {@code httpStatus}; {@code timeToFirstByte} zero when unknown. */
    @Override
    public void requestServed(WireProtocol clientWire, String requestedModel, int httpStatus, Duration latency,
                              Duration timeToFirstByte) {
        try {
            Tags at = Tags.of("wire", clientWire.key(), "model", labels.requestedModel(requestedModel));
            counter("ensemble.gateway.requests", "client requests, by HTTP status class", at.and("status", statusClass(httpStatus))).increment();
            timer("ensemble.gateway.request", "a client request from arrival to last byte sent", LATENCY_BUCKETS, at).record(latency);
            if (timeToFirstByte.compareTo(Duration.ZERO) > 0) {
                timer("ensemble.gateway.time.to.first.byte", "a client request's time to the first byte sent back",
                        FIRST_TOKEN_BUCKETS, at).record(timeToFirstByte);
            }
        } catch (RuntimeException ignored) {
            // as above
        }
    }

    /** A request refused before anything was sent upstream; {@code reason} is {@code Admission.Refused#reason}. */
    @Override
    public void refused(WireProtocol clientWire, String reason) {
        try {
            counter("ensemble.gateway.refused", "client requests refused (budget, key, guard, rate limit)",
                    Tags.of("wire", clientWire.key(), "reason", Labels.word(reason))).increment();
        } catch (RuntimeException ignored) {
            // as above
        }
    }

    /** A client's request moved from {@code fromModel} to {@code toModel} (catalog ids) before its first byte. */
    @Override
    public void fallback(WireProtocol clientWire, String fromModel, String toModel) {
        try {
            counter("ensemble.gateway.fallbacks", "client requests answered by a later model of their chain",
                    Tags.of("wire", clientWire.key(), "from", labels.catalogName(fromModel), "to", labels.catalogName(toModel))).increment();
        } catch (RuntimeException ignored) {
            // as above
        }
    }

    @Override
    public void streamOpened(WireProtocol clientWire) {
        activeStreams.get(clientWire).incrementAndGet();
    }

    @Override
    public void streamClosed(WireProtocol clientWire) {
        activeStreams.get(clientWire).updateAndGet(n -> Math.max(0, n - 1));
    }

    // ------------------------------------------------------------------ exposition

    /** The Prometheus text format (version 0.0.4), budgets read now. */
    public String scrape() {
        refreshBudgets();
        return registry.scrape();
    }

    /** What the server's {@code GET /metrics} serves. */
    public Supplier<String> scraper() {
        return this::scrape;
    }

    private void refreshBudgets() {
        Map<Tags, Double> rows = new java.util.LinkedHashMap<>();
        for (Supplier<List<BudgetLeft>> source : budgetSources) {
            try {
                for (BudgetLeft left : source.get()) {
                    String key = left.scope() == BudgetLeft.Scope.KEY ? labels.keyName(left.name()) : "";
                    rows.put(Tags.of("scope", left.scope().label(), "key", key), Math.max(0, left.leftUsd()));
                }
            } catch (RuntimeException e) {
                // a source that cannot answer now (store busy) shows none of its rows rather than failing the scrape
            }
        }
        List<MultiGauge.Row<?>> gauges = new ArrayList<>();
        rows.forEach((tags, usd) -> gauges.add(MultiGauge.Row.of(tags, usd)));
        budgetGauge.register(gauges, true);
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Timer timer(String name, String description, Duration[] buckets, Tags tags) {
        return Timer.builder(name).description(description).serviceLevelObjectives(buckets).tags(tags).register(registry);
    }

    private static String statusClass(int status) {
        return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Duration.ofNanos((long) (values[i] * 1e9));
        return out;
    }
}
