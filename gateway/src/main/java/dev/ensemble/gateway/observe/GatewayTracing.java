package dev.ensemble.gateway.observe;

import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.TelemetrySettings;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.ServiceAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One OpenTelemetry span per upstream attempt (every ledger row: the gateway's and ensemble's own
 * calls), with the GenAI semantic-convention attributes — {@code gen_ai.operation.name=chat},
 * {@code gen_ai.provider.name} (and the older {@code gen_ai.system}), {@code gen_ai.request.model},
 * {@code gen_ai.response.model}, {@code gen_ai.usage.input_tokens}/{@code output_tokens},
 * {@code error.type} — plus ensemble's run, task, attempt and cost. Exported in batches over
 * OTLP/HTTP (protobuf) to {@code telemetry.otlp_endpoint}; with no endpoint there is no
 * instance and no exporter ({@link #start}). Spans carry names and numbers only: no prompt, no
 * answer, no error text.
 */
public final class GatewayTracing implements CallObserver, AutoCloseable {
    private static final AttributeKey<String> MODEL_ID = AttributeKey.stringKey("ensemble.model.id");
    private static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("ensemble.provider");
    private static final AttributeKey<String> COMMAND = AttributeKey.stringKey("ensemble.command");
    private static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("ensemble.run.id");
    private static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("ensemble.task.id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("ensemble.attempt");
    private static final AttributeKey<Long> FALLBACK_STEP = AttributeKey.longKey("ensemble.fallback_step");
    private static final AttributeKey<Boolean> STREAMED = AttributeKey.booleanKey("ensemble.streamed");
    private static final AttributeKey<Double> COST = AttributeKey.doubleKey("ensemble.cost_usd");
    private static final AttributeKey<Double> FIRST_TOKEN = AttributeKey.doubleKey("ensemble.time_to_first_token_s");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Catalog catalog;

    /** Tracing to the configured collector, or empty (nothing created) when {@code telemetry.otlp_endpoint} is not set. */
    public static Optional<GatewayTracing> start(TelemetrySettings settings, Catalog catalog) {
        Optional<URI> url = settings.tracesUrl();
        if (url.isEmpty()) return Optional.empty();
        SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(url.get().toString())
                .setTimeout(Duration.ofSeconds(10)).build();
        return Optional.of(new GatewayTracing(exporter, catalog));
    }

    /** Spans to {@code exporter} (the OTLP one, or a test's). */
    public GatewayTracing(SpanExporter exporter, Catalog catalog) {
        Objects.requireNonNull(exporter, "exporter");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(ServiceAttributes.SERVICE_NAME, "ensemble")));
        this.provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        this.tracer = provider.get("dev.ensemble.gateway");
    }

    @Override
    @SuppressWarnings("deprecation") // gen_ai.system: older collectors and dashboards still read it
    public void onCall(CallRecord call) {
        try {
            Optional<ModelSpec> model = catalog.model(call.modelId());
            String requested = model.map(ModelSpec::wireName).orElse(call.modelId());
            String system = providerName(call.provider());
            SpanBuilder builder = tracer.spanBuilder(GenAiOperationNameIncubatingValues.CHAT + " " + requested)
                    .setSpanKind(SpanKind.CLIENT).setNoParent().setStartTimestamp(call.startedAt())
                    .setAttribute(GEN_AI_OPERATION_NAME, GenAiOperationNameIncubatingValues.CHAT)
                    .setAttribute(GEN_AI_PROVIDER_NAME, system)
                    .setAttribute(GenAiIncubatingAttributes.GEN_AI_SYSTEM, system)
                    .setAttribute(GEN_AI_REQUEST_MODEL, requested)
                    .setAttribute(GEN_AI_USAGE_INPUT_TOKENS, call.usage().inputTokens())
                    .setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, call.usage().outputTokens())
                    .setAttribute(MODEL_ID, call.modelId())
                    .setAttribute(PROVIDER, call.provider())
                    .setAttribute(STREAMED, call.streamed())
                    .setAttribute(COST, call.costUsd())
                    .setAttribute(ATTEMPT, (long) call.context().attempt())
                    .setAttribute(FALLBACK_STEP, (long) call.context().fallbackStep());
            if (!call.context().command().isEmpty()) builder.setAttribute(COMMAND, call.context().command());
            if (!call.context().runId().isEmpty()) builder.setAttribute(RUN_ID, call.context().runId());
            if (!call.context().taskId().isEmpty()) builder.setAttribute(TASK_ID, call.context().taskId());
            if (call.timeToFirstToken().compareTo(Duration.ZERO) > 0) {
                builder.setAttribute(FIRST_TOKEN, call.timeToFirstToken().toNanos() / 1e9);
            }
            Span span = builder.startSpan();
            if (call.outcome() == CallRecord.Outcome.OK) {
                span.setAttribute(GEN_AI_RESPONSE_MODEL, requested);
            } else {
                String type = call.errorKind().isEmpty() ? "error" : call.errorKind().toLowerCase(Locale.ROOT);
                span.setAttribute(ErrorAttributes.ERROR_TYPE, type);
                span.setStatus(StatusCode.ERROR, type); // the kind only: error text may quote a request
            }
            span.end(call.startedAt().plus(call.latency()));
        } catch (RuntimeException ignored) {
            // tracing must never change a call's outcome
        }
    }

    /** Sends what is batched now; true when the collector took it within {@code timeout}. */
    public boolean flush(Duration timeout) {
        return provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Flushes and stops the exporter (waits at most 10 s for the collector). */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    /**
     * The semantic conventions' well-known provider names where one fits (as text: the incubating
     * artifact marks its value classes deprecated while the names stay); else ensemble's provider name.
     */
    private String providerName(String providerName) {
        Optional<ProviderSpec> spec = catalog.provider(providerName);
        if (spec.isEmpty()) return providerName;
        String host = hostOf(spec.get().baseUrl());
        WireProtocol wire = spec.get().wire();
        if (wire == WireProtocol.ANTHROPIC) return "anthropic";
        if (wire == WireProtocol.GEMINI) return "gcp.gemini";
        if (host.endsWith("openai.azure.com")) return "azure.ai.openai";
        if (host.equals("api.openai.com")) return "openai";
        if (host.equals("api.deepseek.com")) return "deepseek";
        if (wire == WireProtocol.OLLAMA) return "ollama";
        return providerName;
    }

    private static String hostOf(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
