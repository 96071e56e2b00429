package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Outcome;
import dev.ensemble.engine.store.OutcomeLog;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble route` learning from recorded outcomes, `ensemble stats`, and `ensemble route workload`. */
class RoutingCliTest {
    @TempDir Path dir;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
        // Two keyless models on a provider nothing is sent to: route only ranks them. The learning tests
        // read expected_quality as the Beta posterior mean, which is the quality-first strategy's.
        cli.repoConfig("""
                routing: { strategy: quality-first }
                providers:
                  house: { wire: openai-chat, base_url: "http://127.0.0.1:9/v1", local: true }
                models:
                  house-premium: %s
                  house-cheap: %s
                """.formatted(model(9.0, 5.0, 25.0), model(7.0, 0.25, 2.0)));
    }

    private static String model(double coding, double in, double out) {
        return ("{ provider: house, wire_name: w, family: test, context_window: 200000, max_output: 32000, tokens_per_second: 80,"
                + " tools: true, pricing: { input: %s, output: %s, cached_input: 0, source: test, as_of: 2026-11-01 },"
                + " capabilities: { coding: { score: %s, benchmark: test }, review: { score: %s, benchmark: test } } }")
                .formatted(in, out, coding, coding);
    }

    private void record(String model, TaskKind kind, boolean passed, int times) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            OutcomeLog log = new OutcomeLog(store);
            for (int i = 0; i < times; i++) {
                log.record(new Outcome(Instant.parse("2026-11-20T10:00:00Z"), "run", "t" + i, model, "codex", kind, "in=10000",
                        passed, passed ? 0.01 : 0.02, Duration.ofSeconds(30)));
            }
        }
    }

    private record Ranked(List<String> order, double premiumQuality, double cheapQuality) {
        int rank(String model) {
            return order.indexOf(model);
        }
    }

    private Ranked route() {
        CliHarness.Run run = cli.run("route", "--json", "--kind", "coding", "--in", "10000", "--out", "2000", "fix the failing test");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(run.out());
        List<String> order = new ArrayList<>();
        double premium = -1, cheap = -1;
        for (JsonNode c : root.path("candidates")) {
            String id = c.path("model").asString();
            order.add(id);
            if (id.equals("house-premium")) premium = c.path("expected_quality").asDouble();
            if (id.equals("house-cheap")) cheap = c.path("expected_quality").asDouble();
        }
        assertThat(order).contains("house-premium", "house-cheap");
        return new Ranked(order, premium, cheap);
    }

    @Test
    void recordedFailuresLowerAModelAndRecordedPassesRaiseACheapOne() {
        Ranked before = route();
        assertThat(before.premiumQuality()).isEqualTo(0.9, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(before.cheapQuality()).isEqualTo(0.7, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(before.rank("house-premium")).isLessThan(before.rank("house-cheap"));

        record("house-premium", TaskKind.CODING, false, 6);
        record("house-premium", TaskKind.REVIEW, true, 5);  // another kind: no effect on coding
        Ranked afterFailures = route();
        assertThat(afterFailures.premiumQuality()).isLessThan(before.premiumQuality());
        assertThat(afterFailures.cheapQuality()).isEqualTo(before.cheapQuality());
        assertThat(afterFailures.rank("house-premium")).isGreaterThan(afterFailures.rank("house-cheap"));

        record("house-cheap", TaskKind.CODING, true, 10);
        Ranked afterPasses = route();
        assertThat(afterPasses.cheapQuality()).isGreaterThan(afterFailures.cheapQuality());
        assertThat(afterPasses.rank("house-cheap")).isLessThan(afterPasses.rank("house-premium"));
    }

    @Test
    void passesOfACheapModelAloneLiftItAboveThePremiumOne() {
        assertThat(route().rank("house-premium")).isLessThan(route().rank("house-cheap"));
        record("house-cheap", TaskKind.CODING, true, 10);
        Ranked after = route();
        assertThat(after.cheapQuality()).isEqualTo(17.0 / 20, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(after.rank("house-cheap")).isLessThan(after.rank("house-premium"));
    }

    @Test
    void statsShowsOutcomesPerModelAndKind() {
        CliHarness.Run empty = cli.run("stats");
        assertThat(empty.exitCode()).isZero();
        assertThat(empty.out()).contains("No model calls or task outcomes recorded");

        record("house-cheap", TaskKind.CODING, true, 3);
        record("house-cheap", TaskKind.CODING, false, 1);
        record("house-premium", TaskKind.REVIEW, true, 2);
        CliHarness.Run json = cli.run("stats", "--json");
        assertThat(json.exitCode()).as(json.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(json.out());
        JsonNode first = root.path("outcomes").path("by_model_and_kind").get(0);
        assertThat(first.path("model").asString()).isEqualTo("house-cheap");
        assertThat(first.path("kind").asString()).isEqualTo("coding");
        assertThat(first.path("passes").asLong()).isEqualTo(3);
        assertThat(first.path("fails").asLong()).isEqualTo(1);
        assertThat(first.path("success_rate").asDouble()).isEqualTo(0.75);
        assertThat(first.path("mean_cost_usd").asDouble()).isEqualTo(0.0125, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(first.path("mean_duration_ms").asDouble()).isEqualTo(30_000.0);
        JsonNode kinds = root.path("outcomes").path("by_kind");
        assertThat(kinds).hasSize(2);
        assertThat(kinds.get(0).path("kind").asString()).isEqualTo("coding");
        assertThat(kinds.get(1).path("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(root.path("calls").path("by_model")).isEmpty();

        CliHarness.Run table = cli.run("stats");
        assertThat(table.out()).contains("Task outcomes per model and kind", "house-cheap", "75%", "Task outcomes per kind", "review");
        CliHarness.Run later = cli.run("stats", "--json", "--since", "2026-11-21");
        assertThat(HttpTransport.JSON.readTree(later.out()).path("outcomes").path("by_model_and_kind")).isEmpty();
        assertThat(cli.run("stats", "--since", "soon").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void routeWorkloadReportsTheReferenceFigures() {
        CliHarness.Run json = cli.run("route", "workload", "--fixture", "hard-skewed", "--json", "--strategy", "quality-first");
        assertThat(json.exitCode()).as(json.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(json.out());
        assertThat(root.path("tasks").asInt()).isEqualTo(12);
        assertThat(root.path("all_premium").path("model").asString()).isEqualTo("claude-opus-4-5");
        assertThat(root.path("all_premium").path("cost_usd").asDouble()).isEqualTo(2.4075, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(root.path("router").path("passed").asInt()).isEqualTo(12);
        assertThat(root.path("router").path("saving_percent").asDouble()).isEqualTo(8.785, org.assertj.core.api.Assertions.within(0.001));
        assertThat(root.path("results")).hasSize(12);

        CliHarness.Run table = cli.run("route", "workload", "--fixture", "hard-skewed", "--strategy", "quality-first");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("plan-scheduler", "gpt-5-mini ✗ → claude-opus-4-5 ✓", "Saving vs all-premium at the same pass rate: 8.8%");
        assertThat(cli.run("route", "workload", "--file", dir.resolve("missing.yaml").toString()).exitCode()).isNotZero();
        assertThat(cli.run("route", "workload", "--strategy", "cheapest").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.run("route", "workload", "--fixture", "typical").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cli.run("route", "workload", "--fixture", "reference", "--file", "x.yaml").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);

        // expected-cost, the default (this repository's config sets quality-first, so ask for it)
        CliHarness.Run cost = cli.run("route", "workload", "--fixture", "hard-skewed", "--json", "--strategy", "expected-cost");
        JsonNode costRoot = HttpTransport.JSON.readTree(cost.out());
        assertThat(costRoot.path("strategy").asString()).isEqualTo("expected-cost");
        assertThat(costRoot.path("workload").asString()).isEqualTo("hard-skewed (built in)");
        assertThat(costRoot.path("router").path("passed").asInt()).isEqualTo(12);
        assertThat(costRoot.path("router").path("saving_percent").asDouble()).isEqualTo(28.380, org.assertj.core.api.Assertions.within(0.001));
        assertThat(costRoot.path("cheapest_passing").path("saving_percent").asDouble()).isEqualTo(47.549, org.assertj.core.api.Assertions.within(0.001));

        // The reference mix, the default fixture
        CliHarness.Run reference = cli.run("route", "workload", "--strategy", "expected-cost");
        assertThat(reference.exitCode()).as(reference.all()).isZero();
        assertThat(reference.out()).contains("reference (built in, a constructed fixture)", "Saving vs all-premium at the same pass rate: 57.3%");
    }
}
