package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default strategy: cheapest expected cost to a passing result among models likely enough to pass. */
class ExpectedCostRouterTest {
    private static final ModelSpec PREMIUM = Models.cloud("premium", 9.5, 5, 25, 60);
    private static final ModelSpec MID = Models.cloud("mid", 8.3, 0.25, 2, 60);
    private static final ModelSpec LOCAL = Models.local("local", 6.0, 128_000);
    private static final List<ModelSpec> MODELS = List.of(PREMIUM, MID, LOCAL);

    private static RouteRequest task(String text, long in, long out) {
        return new RouteRequest(text, TaskKind.CODING, in, out, Constraints.NONE);
    }

    private static String chosen(RouteDecision d) {
        return d.chosen().orElseThrow().model().id();
    }

    @Test
    void anEasyTaskGoesToTheFreeLocalModel() {
        RouteDecision d = new Router(MODELS, RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(task("fix an off-by-one in the pager; the failing test is given", 6_000, 800));
        assertThat(chosen(d)).isEqualTo("local");
        Candidate first = d.chosen().orElseThrow();
        // difficulty 5.5 − 2 × 1.25 + 1.5 × log10(6,800 / 15,000) = 2.485; P = σ(1.5 × (6.0 − 2.485))
        assertThat(first.expectedQuality()).isCloseTo(1 / (1 + Math.exp(-1.5 * (6.0 - 2.4846))), within(1e-4));
        assertThat(first.expectedQuality()).isGreaterThan(0.98);
        assertThat(first.reason()).startsWith("P(pass) 0.99 for difficulty 2.5 (coding 6.0/10), expected $0");
        assertThat(first.reason()).contains("lowest expected cost; difficulty: routine: off-by-one, failing test given");
        assertThat(d.candidates()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
    }

    @Test
    void aRoutineTaskOverTheLocalModelGoesToTheCheapCloudOneNotThePremium() {
        RouteDecision d = new Router(List.of(PREMIUM, MID), RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(task("add a --verbose option to the export command", 15_000, 2_000));
        assertThat(chosen(d)).isEqualTo("mid");
        Candidate mid = d.candidates().getFirst();
        Candidate premium = d.candidates().get(1);
        // E(mid) = cost(mid) + (1 − P(mid)) × cost(premium)
        assertThat(mid.expectedCostWithEscalationUsd())
                .isCloseTo(mid.expectedCostUsd() + (1 - mid.expectedQuality()) * premium.expectedCostUsd(), within(1e-12));
        assertThat(premium.expectedCostWithEscalationUsd()).isEqualTo(premium.expectedCostUsd());
        assertThat(mid.expectedCostWithEscalationUsd()).isLessThan(premium.expectedCostUsd());
    }

    @Test
    void aHardTaskGoesToThePremiumModel() {
        RouteDecision d = new Router(MODELS, RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(task("design and fix a data race in the distributed lock-free scheduler's migration path", 60_000, 8_000));
        assertThat(chosen(d)).isEqualTo("premium");
        // difficulty 5.5 + 3 + 0.9 ≈ 9.4: premium P ≈ 0.55, mid P ≈ 0.12 (under the floor), local ≈ 0
        assertThat(d.candidates()).extracting(c -> c.model().id()).containsExactly("premium", "mid", "local");
        assertThat(d.candidates().get(1).reason()).endsWith("under the pass floor 0.50");
    }

    @Test
    void withNoCandidateOverTheFloorTheMostLikelyToPassComesFirst() {
        RouteDecision d = new Router(List.of(MID, LOCAL), RoutingSettings.DEFAULTS, EvidenceSource.NONE)
                .route(task("design the concurrency model of a distributed migration without downtime", 100_000, 10_000));
        assertThat(chosen(d)).isEqualTo("mid");
        assertThat(d.chosen().orElseThrow().expectedQuality()).isLessThan(0.5);
        assertThat(d.chosen().orElseThrow().reason()).contains("none reaches the pass floor, most likely to pass");
    }

    @Test
    void failuresMoveACheapModelsPassChanceDownAndTheChoiceUp() {
        Router fresh = new Router(List.of(PREMIUM, MID), RoutingSettings.DEFAULTS, EvidenceSource.NONE);
        RouteRequest request = task("implement pagination for the list endpoint", 20_000, 3_000);
        RouteDecision before = fresh.route(request);
        assertThat(chosen(before)).isEqualTo("mid");
        double pBefore = before.chosen().orElseThrow().expectedQuality();

        Evidence fails = Evidence.NONE;
        String chosen = "mid";
        int rounds = 0;
        double pAfter = pBefore;
        while (chosen.equals("mid") && rounds < 20) {
            fails = fails.plus(false, 0.01, 30);
            rounds++;
            RouteDecision d = new Router(List.of(PREMIUM, MID), RoutingSettings.DEFAULTS,
                    EvidenceSource.of(Map.of("mid", Map.of(TaskKind.CODING, fails)))).route(request);
            chosen = chosen(d);
            double p = d.candidates().stream().filter(c -> c.model().id().equals("mid")).findFirst().orElseThrow().expectedQuality();
            assertThat(p).isLessThan(pAfter);
            pAfter = p;
        }
        assertThat(chosen).isEqualTo("premium");
        // one failure does not overturn the benchmark; a run of them does
        assertThat(rounds).isGreaterThan(1).isLessThanOrEqualTo(6);
        // and passes move it the other way
        Evidence passes = new Evidence(5, 0, 0.01, 30);
        RouteDecision d = new Router(List.of(PREMIUM, MID), RoutingSettings.DEFAULTS,
                EvidenceSource.of(Map.of("mid", Map.of(TaskKind.CODING, passes)))).route(request);
        assertThat(d.chosen().orElseThrow().expectedQuality()).isGreaterThan(pBefore);
        assertThat(d.chosen().orElseThrow().reason()).contains("(coding 8.3/10 → 8.9 after 5 of 5 passed)");
    }

    @Test
    void passModelIsHalfAtEqualCapabilityAndEvidenceShiftsTheCapability() {
        assertThat(PassModel.passProbability(7.0, 7.0, 1.5)).isEqualTo(0.5);
        assertThat(PassModel.passProbability(8.0, 7.0, 1.5)).isCloseTo(0.8176, within(1e-4));
        assertThat(PassModel.effectiveCapability(8.3, 10, Evidence.NONE)).isCloseTo(8.3, within(1e-12));
        // two failures: posterior (8.3/10·10)/12 = 0.6917 → 8.3 + 10 × (0.6917 − 0.83)
        assertThat(PassModel.effectiveCapability(8.3, 10, new Evidence(0, 2, 0, 0))).isCloseTo(6.917, within(1e-3));
    }

    @Test
    void strategyAndPassCurveLoadFromConfig() {
        tools.jackson.databind.JsonNode node = tools.jackson.dataformat.yaml.YAMLMapper.builder().build()
                .readTree("strategy: quality-first\npass_slope: 2\npass_floor: 0.7\n");
        RoutingSettings s = RoutingSettings.load(node);
        assertThat(s.strategy()).isEqualTo(RoutingStrategy.QUALITY_FIRST);
        assertThat(s.passSlope()).isEqualTo(2.0);
        assertThat(s.passFloor()).isEqualTo(0.7);
        assertThat(RoutingSettings.DEFAULTS.strategy()).isEqualTo(RoutingStrategy.EXPECTED_COST);
        tools.jackson.databind.JsonNode bad = tools.jackson.dataformat.yaml.YAMLMapper.builder().build()
                .readTree("strategy: cheapest\npass_floor: 1.5\npass_slope: 0\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoutingSettings.load(bad))
                .isInstanceOfSatisfying(dev.ensemble.core.config.ConfigException.class, e -> assertThat(e.errors())
                        .extracting(dev.ensemble.core.config.ConfigError::key)
                        .containsExactlyInAnyOrder("routing.strategy", "routing.pass_floor", "routing.pass_slope"));
    }
}
