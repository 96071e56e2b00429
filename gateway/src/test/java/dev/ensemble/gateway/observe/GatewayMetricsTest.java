package dev.ensemble.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ModelException;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void countsEveryUpstreamAttemptPerModelAndProviderWithTokensCostAndLatency() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(500)).forModel("alpha-wire").times(1));
            server.rule(Rule.text("fine, thanks"));
            Catalog catalog = ObserveFixtures.catalog(server.baseUrl());
            GatewayMetrics metrics = new GatewayMetrics(catalog);
            ChatModels models = ObserveFixtures.models(catalog, metrics);
            try {
                // the alias falls over from alpha (500) to beta: one error, one fallback, one answer
                models.model("pair").chat(ChatRequest.of(ChatMessage.user("how are you?")), null);
                models.model("alpha").chat(ChatRequest.of(ChatMessage.user("streamed, please")), delta -> {});
            } finally {
                models.close();
            }
            String text = metrics.scrape();

            assertThat(value(text, "ensemble_model_calls_total", "model=\"alpha\"", "outcome=\"error\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_model_calls_total", "model=\"alpha\"", "outcome=\"ok\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_model_calls_total", "model=\"beta\"", "outcome=\"ok\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_model_errors_total", "model=\"alpha\"", "provider=\"scripted\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_model_fallbacks_total", "model=\"beta\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_model_tokens_total", "model=\"beta\"", "type=\"output\"")).isPositive();
            assertThat(value(text, "ensemble_model_tokens_total", "model=\"beta\"", "type=\"input\"")).isPositive();
            assertThat(value(text, "ensemble_model_cost_usd_total", "model=\"beta\"")).isPositive();
            assertThat(value(text, "ensemble_model_latency_seconds_count", "model=\"beta\"")).isEqualTo(1);
            assertThat(text).contains("ensemble_model_latency_seconds_bucket{model=\"beta\",provider=\"scripted\",le=\"0.05\"}");
            // only the streamed call has a time to first token
            assertThat(value(text, "ensemble_model_time_to_first_token_seconds_count", "model=\"alpha\"")).isEqualTo(1);
            assertThat(text).doesNotContain("ensemble_model_time_to_first_token_seconds_count{model=\"beta\"");
        }
    }

    @Test
    void clientRequestsStreamsRefusalsAndFallbacksPerWire() {
        GatewayMetrics metrics = new GatewayMetrics(ObserveFixtures.catalog("http://127.0.0.1:9"));
        metrics.requestServed(WireProtocol.ANTHROPIC, "pair", 200, Duration.ofMillis(120), Duration.ofMillis(8));
        metrics.requestServed(WireProtocol.OPENAI_CHAT, "auto", 429, Duration.ofMillis(2), Duration.ZERO);
        metrics.refused(WireProtocol.OPENAI_CHAT, "task budget");
        metrics.fallback(WireProtocol.ANTHROPIC, "alpha", "beta");
        metrics.streamOpened(WireProtocol.GEMINI);
        metrics.streamOpened(WireProtocol.GEMINI);
        metrics.streamClosed(WireProtocol.GEMINI);

        String text = metrics.scrape();
        assertThat(value(text, "ensemble_gateway_requests_total", "wire=\"anthropic\"", "model=\"pair\"", "status=\"2xx\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_requests_total", "wire=\"openai-chat\"", "model=\"auto\"", "status=\"4xx\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_time_to_first_byte_seconds_count", "wire=\"anthropic\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_refused_total", "reason=\"task budget\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_fallbacks_total", "from=\"alpha\"", "to=\"beta\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_active_streams", "wire=\"gemini\"")).isEqualTo(1);
        assertThat(value(text, "ensemble_gateway_active_streams", "wire=\"anthropic\"")).isEqualTo(0);
    }

    @Test
    void budgetGaugesAreReadAtEachScrapeAndKeysThatWentAwayDisappear() {
        GatewayMetrics metrics = new GatewayMetrics(ObserveFixtures.catalog("http://127.0.0.1:9"));
        List<BudgetLeft> rows = new ArrayList<>(List.of(BudgetLeft.day(41.5), BudgetLeft.key("ci-bot", 3.25), BudgetLeft.key("alice", 0.5)));
        metrics.addBudgetSource(() -> List.copyOf(rows));
        metrics.addBudgetSource(() -> {
            throw new IllegalStateException("store busy");
        });

        String first = metrics.scrape();
        assertThat(value(first, "ensemble_budget_left_usd", "scope=\"day\"")).isEqualTo(41.5);
        assertThat(value(first, "ensemble_budget_left_usd", "key=\"ci-bot\"", "scope=\"key\"")).isEqualTo(3.25);

        rows.set(0, BudgetLeft.day(40));
        rows.remove(2);
        String second = metrics.scrape();
        assertThat(value(second, "ensemble_budget_left_usd", "scope=\"day\"")).isEqualTo(40);
        assertThat(second).doesNotContain("alice");
    }

    @Test
    void noSecretAndNoClientTextReachesALabel() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(401)).forModel("beta-wire"));
            server.rule(Rule.text("ok"));
            Catalog catalog = ObserveFixtures.catalog(server.baseUrl());
            GatewayMetrics metrics = new GatewayMetrics(catalog);
            ChatModels models = ObserveFixtures.models(catalog, metrics);
            try {
                models.model("alpha").chat(ChatRequest.of(ChatMessage.user("key " + ObserveFixtures.SECRET)), null);
                try {
                    models.model("beta").chat(ChatRequest.of(ChatMessage.user("hello")), null);
                } catch (ModelException expected) {
                    // an unauthorized answer: counted as an error of kind AUTH, its text nowhere
                }
            } finally {
                models.close();
            }
            // a client naming a pasted key as its model, a key whose name is the secret, a made-up reason
            metrics.requestServed(WireProtocol.OPENAI_CHAT, ObserveFixtures.SECRET, 404, Duration.ofMillis(1), Duration.ZERO);
            metrics.requestServed(WireProtocol.OPENAI_CHAT, "x".repeat(5000), 404, Duration.ofMillis(1), Duration.ZERO);
            metrics.refused(WireProtocol.ANTHROPIC, "budget: " + ObserveFixtures.SECRET);
            metrics.addBudgetSource(() -> List.of(BudgetLeft.key(ObserveFixtures.SECRET, 1), BudgetLeft.key("team-a", 2)));

            String text = metrics.scrape();
            assertThat(text).doesNotContain(ObserveFixtures.SECRET).doesNotContain("sk-observe").doesNotContain("xxxxxxxx");
            assertThat(value(text, "ensemble_gateway_requests_total", "model=\"other\"")).isEqualTo(2);
            assertThat(value(text, "ensemble_gateway_refused_total", "reason=\"other\"")).isEqualTo(1);
            assertThat(value(text, "ensemble_budget_left_usd", "key=\"team-a\"")).isEqualTo(2);
            assertThat(value(text, "ensemble_model_errors_total", "model=\"beta\"")).isEqualTo(1);
        }
    }

    @Test
    void anObserverThatIsNotTheLastInAChainStillSeesEveryCall() {
        // ensemble's own calls: the metrics sit beside the ledger in one observer chain
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("hi"));
            Catalog catalog = ObserveFixtures.catalog(server.baseUrl());
            GatewayMetrics metrics = new GatewayMetrics(catalog);
            List<String> ledger = new ArrayList<>();
            CallObserver chain = call -> {
                ledger.add(call.modelId());
                metrics.onCall(call);
            };
            ChatModels models = ObserveFixtures.models(catalog, chain);
            try {
                models.model("beta").chat(ChatRequest.of(ChatMessage.user("hello")), null);
            } finally {
                models.close();
            }
            assertThat(ledger).containsExactly("beta");
            assertThat(value(metrics.scrape(), "ensemble_model_calls_total", "model=\"beta\"")).isEqualTo(1);
        }
    }

    /** The value of the one sample of {@code metric} whose labels contain every one of {@code labels}. */
    static double value(String scrape, String metric, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) all &= set.contains(label);
            if (all) found.add(Double.parseDouble(m.group(2)));
        }
        assertThat(found).as(metric + " with " + String.join(",", labels) + " in\n" + scrape).hasSize(1);
        return found.getFirst();
    }
}
