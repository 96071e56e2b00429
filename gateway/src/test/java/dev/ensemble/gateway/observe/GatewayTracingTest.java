package dev.ensemble.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.config.TelemetrySettings;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ModelException;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GatewayTracingTest {

    /** A loopback OTLP/HTTP collector: records each POST to /v1/traces and answers 200 with an empty response message. */
    static final class Collector implements AutoCloseable {
        final HttpServer server;
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();

        Collector() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/traces", exchange -> {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                exchange.getRequestBody().transferTo(body);
                bodies.add(body.toByteArray());
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        String allBodies() {
            StringBuilder out = new StringBuilder();
            bodies.forEach(b -> out.append(new String(b, StandardCharsets.ISO_8859_1)));
            return out.toString();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void exportsOneSpanPerAttemptWithTheGenAiAttributesOverOtlpHttp() throws Exception {
        try (ScriptedModelServer models = ScriptedModelServer.start(); Collector collector = new Collector()) {
            models.rule(Rule.fault(new Fault.HttpError(500)).forModel("alpha-wire").times(1));
            models.rule(Rule.text("an answer"));
            Catalog catalog = ObserveFixtures.catalog(models.baseUrl());
            TelemetrySettings settings = new TelemetrySettings(Optional.of(URI.create(collector.baseUrl())), List.of());
            GatewayTracing tracing = GatewayTracing.start(settings, catalog).orElseThrow();
            ChatModels stack = ObserveFixtures.models(catalog, tracing);
            try {
                stack.model("pair").chat(ChatRequest.of(ChatMessage.user("say " + ObserveFixtures.SECRET)), null);
            } finally {
                stack.close();
            }
            tracing.close(); // flushes the batch

            assertThat(collector.bodies).isNotEmpty();
            assertThat(collector.contentTypes).allMatch(type -> type.startsWith("application/x-protobuf"));
            String spans = collector.allBodies();
            assertThat(spans).contains("gen_ai.operation.name", "chat", "gen_ai.provider.name", "gen_ai.system",
                    "gen_ai.request.model", "alpha-wire", "beta-wire", "gen_ai.response.model",
                    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "error.type", "server_error", "ensemble.cost_usd",
                    "service.name", "ensemble");
            // the prompt, the answer and the key stay out of traces
            assertThat(spans).doesNotContain(ObserveFixtures.SECRET).doesNotContain("an answer").doesNotContain("say ");
        }
    }

    @Test
    void withoutAnEndpointThereIsNoTracingAndNothingIsCreated() {
        assertThat(GatewayTracing.start(TelemetrySettings.OFF, ObserveFixtures.catalog("http://127.0.0.1:9"))).isEmpty();
    }

    @Test
    void aFailedCallStillLeavesItsCallerUnchangedWhenTheCollectorIsDown() throws Exception {
        // a collector that went away: spans are dropped, calls go on
        Collector gone = new Collector();
        String url = gone.baseUrl();
        gone.close();
        try (ScriptedModelServer models = ScriptedModelServer.start()) {
            models.rule(Rule.fault(new Fault.HttpError(400)));
            Catalog catalog = ObserveFixtures.catalog(models.baseUrl());
            try (GatewayTracing tracing = GatewayTracing.start(new TelemetrySettings(Optional.of(URI.create(url)), List.of()), catalog)
                    .orElseThrow()) {
                ChatModels stack = ObserveFixtures.models(catalog, tracing);
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> stack.model("beta").chat(ChatRequest.of(ChatMessage.user("hi")), null)).isInstanceOf(ModelException.class);
                stack.close();
            }
        }
    }
}
