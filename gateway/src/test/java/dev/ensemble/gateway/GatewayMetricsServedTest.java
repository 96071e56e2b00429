package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.gateway.observe.GatewayMetrics;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server tells the metrics about each client request: {@code /metrics} counts them after they are answered. */
class GatewayMetricsServedTest {
    private static final String CLIENT_SECRET = "sk-client-secret-91b2e7";
    private final GatewayFixture fx = new GatewayFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void plainAndStreamedRequestsAreCountedWithStatusAndNoStreamStaysOpen() throws Exception {
        fx.server.rule(Rule.fault(new Fault.HttpError(500)).forModel("gpt-a-wire").times(1));
        fx.server.rule(Rule.text("counted answer"));
        GatewayMetrics metrics = new GatewayMetrics(fx.catalog);
        fx.start(fx.options().withMetrics(metrics.scraper(), metrics));

        HttpResponse<String> plain = fx.post("/v1/chat/completions",
                "{\"model\":\"claude-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + CLIENT_SECRET);
        HttpResponse<String> streamed = fx.post("/v1/chat/completions",
                "{\"model\":\"team\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + CLIENT_SECRET);
        HttpResponse<String> unknown = fx.post("/v1/messages",
                "{\"model\":\"no-such-model\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", CLIENT_SECRET);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("counted");
        assertThat(unknown.statusCode()).isEqualTo(404);

        String scrape = fx.get("/metrics").body();
        assertThat(scrape)
                .contains("ensemble_gateway_requests_total{model=\"claude-a\",status=\"2xx\",wire=\"openai-chat\"} 1.0")
                .contains("ensemble_gateway_requests_total{model=\"team\",status=\"2xx\",wire=\"openai-chat\"} 1.0")
                .contains("ensemble_gateway_requests_total{model=\"other\",status=\"4xx\",wire=\"anthropic\"} 1.0")
                .contains("ensemble_gateway_fallbacks_total{from=\"gpt-a\",to=\"gpt-b\",wire=\"openai-chat\"} 1.0")
                .contains("ensemble_gateway_active_streams{wire=\"openai-chat\"} 0.0")
                .contains("ensemble_gateway_time_to_first_byte_seconds_count{model=\"team\",wire=\"openai-chat\"} 1")
                .doesNotContain(CLIENT_SECRET, GatewayFixture.OA_KEY, GatewayFixture.AN_KEY);
    }

    @Test
    void aRefusalIsCountedByItsReason() throws Exception {
        Gatekeeper refusing = new Gatekeeper() {
            @Override public Optional<Admission> authenticate(Optional<String> secret) {
                return Optional.of(Admission.refused(429, "key budget", "key budget: $0.00 left"));
            }
        };
        GatewayMetrics metrics = new GatewayMetrics(fx.catalog);
        fx.start(fx.options().withGatekeeper(refusing, false).withMetrics(metrics.scraper(), metrics));
        assertThat(fx.post("/v1/chat/completions", "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).isEqualTo(429);
        // The refusal of /metrics itself is not a model request and is not counted; read the registry directly.
        assertThat(metrics.scrape())
                .contains("ensemble_gateway_refused_total{reason=\"key budget\",wire=\"openai-chat\"} 1.0")
                .contains("ensemble_gateway_requests_total{model=\"none\",status=\"4xx\",wire=\"openai-chat\"} 1.0");
        assertThat(fx.server.modelCalls()).isEmpty();
    }
}
