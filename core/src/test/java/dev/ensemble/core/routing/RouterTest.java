package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.BuiltinCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final List<ModelSpec> CATALOG = List.copyOf(BuiltinCatalog.load().models().values());
    /** The weighted-score strategy: the tests of weights and of its reasons use it explicitly since expected-cost became the default. */
    private static final RoutingSettings QUALITY_FIRST = RoutingSettings.DEFAULTS.withStrategy(RoutingStrategy.QUALITY_FIRST);

    private static RouteRequest coding(long in, long out, Constraints c) {
        return new RouteRequest("fix the bug", TaskKind.CODING, in, out, c);
    }

    private static String reasonFor(RouteDecision d, String id) {
        return d.exclusions().stream().filter(e -> e.model().id().equals(id)).map(Exclusion::reason).findFirst().orElse("(not excluded)");
    }

    @Test
    void localOnlyExcludesEveryCloudModelWithTheReason() {
        RouteDecision d = new Router(CATALOG, RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(coding(2000, 500, Constraints.NONE.withLocalOnly(true)));
        assertThat(d.candidates()).isNotEmpty().allMatch(c -> c.model().local());
        long cloud = CATALOG.stream().filter(m -> !m.local()).count();
        assertThat(d.exclusions()).hasSize((int) cloud).allMatch(e -> e.reason().equals("cloud model, local-only mode"));
        assertThat(d.chosen().orElseThrow().expectedCostUsd()).isZero();
    }

    @Test
    void modelsWithoutAKeyOrWithTooSmallAContextAreExcludedWithTheReason() {
        Constraints c = Constraints.NONE.withUnavailable("gpt-5", "key env:OPENAI_API_KEY not set");
        RouteDecision d = new Router(CATALOG, RoutingSettings.DEFAULTS, EvidenceSource.NONE).route(coding(100_000, 4_000, c));
        assertThat(reasonFor(d, "gpt-5")).isEqualTo("key env:OPENAI_API_KEY not set");
        assertThat(reasonFor(d, "qwen2.5-coder:32b")).isEqualTo("context 33k < 104k needed");
        assertThat(reasonFor(d, "deepseek-chat")).isEqualTo("(not excluded)");
        assertThat(d.candidates()).noneMatch(x -> x.model().id().equals("gpt-5") || x.model().contextWindow() < 104_000);
    }

    @Test
    void minimumContextToolsLatencyAndOutputLimitsExclude() {
        ModelSpec small = Models.spec("small", 8, 1, 1, 100, false, 16_000, true);
        ModelSpec noTools = Models.spec("no-tools", 8, 1, 1, 100, false, 200_000, false);
        ModelSpec slow = Models.spec("slow", 8, 1, 1, 5, false, 200_000, true);
        ModelSpec ok = Models.spec("ok", 8, 1, 1, 100, false, 200_000, true);
        Constraints c = Constraints.NONE.withNeedsTools(true).withMinContextWindow(50_000).withLatencyBound(Duration.ofSeconds(60));
        RouteDecision d = new Router(List.of(small, noTools, slow, ok), RoutingSettings.DEFAULTS, EvidenceSource.NONE).route(coding(1000, 1000, c));
        assertThat(d.candidates()).extracting(x -> x.model().id()).containsExactly("ok");
        assertThat(reasonFor(d, "small")).isEqualTo("context 16k < 50k needed");
        assertThat(reasonFor(d, "no-tools")).isEqualTo("no tool calling");
        assertThat(reasonFor(d, "slow")).isEqualTo("too slow: ~200 s > 60 s bound");
        RouteDecision tooLong = new Router(List.of(ok), RoutingSettings.DEFAULTS, EvidenceSource.NONE).route(coding(1000, 40_000, Constraints.NONE));
        assertThat(reasonFor(tooLong, "ok")).isEqualTo("max output 32k < 40k expected");
    }

    @Test
    void aModelWhoseWorstCaseWouldCrossTheBudgetIsExcluded() {
        ModelSpec pricey = Models.cloud("pricey", 9.5, 15, 75, 50);
        ModelSpec cheap = Models.cloud("cheap", 7, 0.1, 0.4, 100);
        // worst case with a 4,000-token cap: pricey 10k×15 + 4k×75 = $0.45; cheap $0.0026
        Constraints c = Constraints.NONE.withBudgetLeft(0.20).withOutputCap(4_000);
        RouteDecision d = new Router(List.of(pricey, cheap), RoutingSettings.DEFAULTS, EvidenceSource.NONE).route(coding(10_000, 1_000, c));
        assertThat(d.candidates()).extracting(x -> x.model().id()).containsExactly("cheap");
        assertThat(reasonFor(d, "pricey")).isEqualTo("over budget: worst case $0.45 > $0.20 left");
        assertThat(d.candidates().getFirst().worstCaseUsd()).isCloseTo(0.0026, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void withNothingFeasibleTheDecisionSaysWhy() {
        ModelSpec cloud = Models.cloud("c", 9, 1, 1, 50);
        ModelSpec local = Models.local("l", 5, 32_000);
        RouteDecision d = new Router(List.of(cloud, local), RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(coding(1000, 100, Constraints.NONE.withLocalOnly(true).withUnavailable("l", "not pulled in Ollama (ollama pull l)")));
        assertThat(d.chosen()).isEmpty();
        assertThat(d.whyNone()).contains("cloud model, local-only mode").contains("ollama pull l");
    }

    @Test
    void weightsChangeTheRankingAsExpected() {
        ModelSpec premium = Models.cloud("premium", 9.5, 5, 25, 60);
        ModelSpec budget = Models.cloud("budget", 7.0, 0.1, 0.4, 60);
        ModelSpec fast = Models.cloud("fast", 7.0, 1, 4, 400);
        List<ModelSpec> models = List.of(premium, budget, fast);
        RouteRequest request = coding(20_000, 4_000, Constraints.NONE);

        RouteDecision qualityOnly = new Router(models, QUALITY_FIRST.withWeights(1, 0, 0), EvidenceSource.NONE).route(request);
        assertThat(qualityOnly.chosen().orElseThrow().model().id()).isEqualTo("premium");
        RouteDecision costMinded = new Router(models, QUALITY_FIRST.withWeights(1, 1, 0), EvidenceSource.NONE).route(request);
        assertThat(costMinded.chosen().orElseThrow().model().id()).isEqualTo("budget");
        RouteDecision speedMinded = new Router(models, QUALITY_FIRST.withWeights(1, 0, 1), EvidenceSource.NONE).route(request);
        assertThat(speedMinded.chosen().orElseThrow().model().id()).isEqualTo("fast");
        // with the defaults a 2.5-point better model is worth its price on a task this size
        RouteDecision defaults = new Router(models, QUALITY_FIRST, EvidenceSource.NONE).route(request);
        assertThat(defaults.chosen().orElseThrow().model().id()).isEqualTo("premium");
        assertThat(defaults.candidates()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
    }

    @Test
    void reasonsAreOneReadableLine() {
        ModelSpec premium = Models.cloud("premium", 9.5, 5, 25, 60);
        ModelSpec budget = Models.cloud("budget", 7.0, 0.1, 0.4, 120);
        RouteDecision d = new Router(List.of(premium, budget), QUALITY_FIRST, EvidenceSource.NONE).route(coding(2_000, 500, Constraints.NONE));
        Candidate first = d.candidates().get(0);
        assertThat(first.reason()).isEqualTo("coding 9.5/10, $0.02, ~8.3 s: best balance of quality, cost and speed, best quality");
        assertThat(d.candidates().get(1).reason()).startsWith("coding 7.0/10, $0.0004, ~4.2 s: cheapest, fastest, 0.25 less quality");
        assertThat(d.candidates()).allMatch(c -> !c.reason().contains("\n"));
    }

    @Test
    void aModelThatKeepsFailingDropsBelowACheaperOneThatKeepsPassing() {
        ModelSpec premium = Models.cloud("premium", 9.5, 5, 25, 60);
        ModelSpec cheap = Models.cloud("cheap", 8.0, 1, 5, 60);
        List<ModelSpec> models = List.of(premium, cheap);
        RouteRequest request = coding(20_000, 2_000, Constraints.NONE);
        RoutingSettings quality = QUALITY_FIRST.withWeights(1, 0, 0);
        assertThat(new Router(models, quality, EvidenceSource.NONE).route(request).chosen().orElseThrow().model().id()).isEqualTo("premium");

        Evidence premiumFails = Evidence.NONE;
        Evidence cheapPasses = Evidence.NONE;
        String chosen = "premium";
        int rounds = 0;
        while (chosen.equals("premium") && rounds < 50) {
            premiumFails = premiumFails.plus(false, 0.15, 30);
            cheapPasses = cheapPasses.plus(true, 0.03, 30);
            rounds++;
            EvidenceSource evidence = EvidenceSource.of(Map.of(
                    "premium", Map.of(TaskKind.CODING, premiumFails), "cheap", Map.of(TaskKind.CODING, cheapPasses)));
            chosen = new Router(models, quality, evidence).route(request).chosen().orElseThrow().model().id();
        }
        assertThat(chosen).isEqualTo("cheap");
        // conservative: one failure and one pass are not enough to overturn 1.5 points of benchmark
        assertThat(rounds).isGreaterThan(1).isLessThanOrEqualTo(5);
        // evidence about one kind leaves the others alone
        RouteRequest review = new RouteRequest("review", TaskKind.REVIEW, 20_000, 2_000, Constraints.NONE);
        EvidenceSource evidence = EvidenceSource.of(Map.of("premium", Map.of(TaskKind.CODING, premiumFails)));
        assertThat(new Router(models, quality, evidence).route(review).chosen().orElseThrow().model().id()).isEqualTo("premium");
        assertThat(new Router(models, quality, evidence).route(request).candidates())
                .filteredOn(c -> c.model().id().equals("premium")).singleElement()
                .satisfies(c -> assertThat(c.reason()).startsWith("coding 9.5/10 → 7.9 after 0 of 2 passed"));
    }

    @Test
    void posteriorMeanStartsAtTheBenchmarkAndMovesWithEvidence() {
        assertThat(QualityEstimate.posteriorMean(9.0, 10, Evidence.NONE)).isEqualTo(0.9);
        assertThat(QualityEstimate.posteriorMean(9.0, 10, new Evidence(0, 10, 0, 0))).isCloseTo(0.45, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(QualityEstimate.posteriorMean(5.0, 10, new Evidence(90, 0, 0, 0))).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-12));
        Evidence e = Evidence.NONE.plus(true, 1.0, 10).plus(false, 3.0, 20);
        assertThat(e).isEqualTo(new Evidence(1, 1, 2.0, 15.0));
    }

    @Test
    void routingSettingsLoadFromTheSectionAndRejectBadValues() {
        tools.jackson.databind.JsonNode node = tools.jackson.dataformat.yaml.YAMLMapper.builder().build()
                .readTree("weights: { quality: 2, cost: 0.5 }\nprior_strength: 4\n");
        RoutingSettings s = RoutingSettings.load(node);
        assertThat(s).isEqualTo(new RoutingSettings(2, 0.5, 0.02, 0.01, 10, 4));
        tools.jackson.databind.JsonNode bad = tools.jackson.dataformat.yaml.YAMLMapper.builder().build()
                .readTree("weights: { quality: -1, taste: 3 }\nprior_strength: 0\nspeed: 1\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoutingSettings.load(bad))
                .isInstanceOfSatisfying(dev.ensemble.core.config.ConfigException.class, e -> assertThat(e.errors())
                        .extracting(dev.ensemble.core.config.ConfigError::key)
                        .containsExactlyInAnyOrder("routing.weights.quality", "routing.weights.taste", "routing.prior_strength", "routing.speed"));
    }
}
