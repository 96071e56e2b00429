package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.BuiltinCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class SavingsAndForecastTest {
    private final ModelSpec premium = Models.cloud("premium", 9.5, 5, 25, 60);
    private final ModelSpec cheap = Models.cloud("cheap", 7, 0.5, 2, 100);
    private final ModelSpec local = Models.local("local", 5, 128_000);

    @Test
    void savingsPriceEveryCallsTokensAtTheBaselineAndCountLocalTokens() {
        List<PricedCall> calls = List.of(
                new PricedCall(premium, new Usage(1_000_000, 100_000, 0)),   // $5 + $2.5 = $7.5
                new PricedCall(cheap, new Usage(2_000_000, 200_000, 0)),     // $1 + $0.4 = $1.4; at premium $15
                new PricedCall(local, new Usage(500_000, 50_000, 0)));       // $0; at premium $3.75
        Savings s = Savings.of(calls, premium);
        assertThat(s.calls()).isEqualTo(3);
        assertThat(s.actualUsd()).isCloseTo(8.9, within(1e-9));
        assertThat(s.baselineUsd()).isCloseTo(26.25, within(1e-9));
        assertThat(s.savingPercent()).isCloseTo(100 * (26.25 - 8.9) / 26.25, within(1e-9));
        assertThat(s.tokens()).isEqualTo(new Usage(3_500_000, 350_000, 0));
        assertThat(s.localTokens()).isEqualTo(new Usage(500_000, 50_000, 0));
        assertThat(s.baselineModel()).isEqualTo("premium");
    }

    @Test
    void cachedInputIsPricedAtEachModelsCachedPrice() {
        Savings s = Savings.of(List.of(new PricedCall(cheap, new Usage(1_000_000, 0, 1_000_000))), premium);
        assertThat(s.actualUsd()).isCloseTo(0.05, within(1e-12));
        assertThat(s.baselineUsd()).isCloseTo(0.5, within(1e-12));
        assertThat(Savings.of(List.of(), premium).savingPercent()).isZero();
    }

    @Test
    void theDefaultBaselineIsTheCatalogsPremiumPlanner() {
        assertThat(Savings.premiumPlanner(BuiltinCatalog.load().models().values())).map(ModelSpec::id).contains("gemini-3-pro-preview");
        assertThat(Savings.premiumPlanner(List.of(local))).isEmpty();
    }

    @Test
    void forecastGivesMinExpectedAndMaxOverTheCandidates() {
        Router router = new Router(List.of(premium, cheap), RoutingSettings.DEFAULTS.withStrategy(RoutingStrategy.QUALITY_FIRST).withWeights(1, 0, 0), EvidenceSource.NONE);
        List<PlannedTask> tasks = List.of(new PlannedTask("plan", TaskKind.PLANNING, 100_000, 10_000),
                new PlannedTask("code", TaskKind.CODING, 150_000, 15_000));
        CostForecast f = CostForecast.of(router, tasks, Constraints.NONE);
        // premium: 0.5 + 0.25 = 0.75 and 0.75 + 0.375 = 1.125; cheap: 0.05 + 0.02 = 0.07 and 0.075 + 0.03 = 0.105
        assertThat(f.minUsd()).isCloseTo(0.175, within(1e-9));
        assertThat(f.expectedUsd()).isCloseTo(1.875, within(1e-9));
        assertThat(f.maxUsd()).isCloseTo(1.875, within(1e-9));
        assertThat(f.lines()).extracting(l -> l.model().orElseThrow()).containsExactly("premium", "premium");
        assertThat(f.needsApproval(1.5)).isTrue();
        assertThat(f.needsApproval(3.0)).isFalse();

        CostForecast localOnly = CostForecast.of(router, tasks, Constraints.NONE.withLocalOnly(true));
        assertThat(localOnly.unroutable()).hasSize(2).allMatch(u -> u.contains("cloud model, local-only mode"));
        assertThat(localOnly.expectedUsd()).isZero();
    }
}
