package dev.ensemble.engine.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.BuiltinCatalog;
import dev.ensemble.core.routing.DifficultyEstimator;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.core.routing.RoutingStrategy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceWorkloadTest {
    private static final Map<String, ModelSpec> CATALOG = BuiltinCatalog.load().models();
    private static final java.util.function.Supplier<ReferenceWorkload.Workload> HARD_SKEWED = () -> ReferenceWorkload.builtIn("hard-skewed");

    @ParameterizedTest
    @ValueSource(strings = {"reference", "hard-skewed"})
    void eachFixtureHasTwelveMixedTasksAndItsPassTableFollowsItsStatedRule(String name) {
        ReferenceWorkload.Workload w = ReferenceWorkload.builtIn(name);
        assertThat(w.tasks()).hasSize(12);
        assertThat(w.models()).hasSize(4).contains(w.baseline());
        assertThat(w.tasks()).extracting(ReferenceWorkload.Task::kind).contains(TaskKind.values());
        List<ModelSpec> models = w.models().stream().map(CATALOG::get).toList();
        for (ReferenceWorkload.Task task : w.tasks()) {
            assertThat(task.passes()).as(task.id()).isEqualTo(ReferenceWorkload.passesByRule(task, models));
        }
    }

    @Test
    void theReferenceMixFollowsSweBenchVerifiedFiveEasySixMediumOneHard() {
        List<ReferenceWorkload.Task> tasks = ReferenceWorkload.standard().tasks();
        // Easy: the local model passes; medium: gpt-5-mini is the cheapest that passes; hard: Opus alone.
        assertThat(tasks.stream().filter(t -> t.passes().contains("qwen3-coder:30b")).count()).isEqualTo(5);
        assertThat(tasks.stream().filter(t -> !t.passes().contains("qwen3-coder:30b") && t.passes().contains("gpt-5-mini")).count()).isEqualTo(6);
        assertThat(tasks.stream().filter(t -> t.passes().equals(java.util.Set.of("claude-opus-4-5"))).count()).isEqualTo(1);
    }

    @Test
    void expectedCostRouterMeetsTheFiftyPercentTargetOnTheReferenceMix() {
        ReferenceWorkload.Report r = ReferenceWorkload.run(ReferenceWorkload.standard(), CATALOG, RoutingSettings.DEFAULTS);
        assertThat(r.baselineCostUsd()).isCloseTo(1.6075, within(1e-9));
        assertThat(r.routerFirstTryPasses()).isEqualTo(6);
        assertThat(r.routerPasses()).isEqualTo(12);
        assertThat(r.samePassRate()).isTrue();
        assertThat(r.routerCostUsd()).isCloseTo(0.6861, within(1e-9));
        assertThat(r.savingPercent()).isCloseTo(57.319, within(0.001)).isGreaterThanOrEqualTo(50);
        assertThat(r.oracleSavingPercent()).isCloseTo(72.762, within(0.001));
        // Six medium tasks: the local model is tried first on five and fails (free), gpt-5-mini passes;
        // the one hard task climbs the whole ladder to Opus, which is where most of the cost goes.
        assertThat(r.results()).extracting(t -> t.attempts().stream().map(ReferenceWorkload.Attempt::model).toList()).containsExactly(
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b", "gpt-5-mini"),
                List.of("gpt-5-mini"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b", "gpt-5-mini"),
                List.of("qwen3-coder:30b", "gpt-5-mini"),
                List.of("gpt-5-mini", "claude-sonnet-4-5", "claude-opus-4-5"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b", "gpt-5-mini"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b", "gpt-5-mini"));
    }

    @Test
    void qualityFirstSavesFarLessOnTheReferenceMix() {
        ReferenceWorkload.Report r = ReferenceWorkload.run(ReferenceWorkload.standard(), CATALOG, QUALITY_FIRST);
        assertThat(r.routerPasses()).isEqualTo(12);
        assertThat(r.savingPercent()).isCloseTo(23.8, within(0.1));
    }

    @Test
    void anUnknownBuiltInWorkloadNamesTheKnownOnes() {
        assertThatThrownBy(() -> ReferenceWorkload.builtIn("typical"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hard-skewed, reference");
    }

    private static final RoutingSettings QUALITY_FIRST = RoutingSettings.DEFAULTS.withStrategy(RoutingStrategy.QUALITY_FIRST);

    @Test
    void hardSkewedExpectedCostRouterWithFallbackAgainstAllPremium() {
        ReferenceWorkload.Report r = ReferenceWorkload.run(HARD_SKEWED.get(), CATALOG, RoutingSettings.DEFAULTS);
        assertThat(r.baselineCostUsd()).isCloseTo(2.4075, within(1e-9));
        // First choices: the five routine tasks to the local model, the rest mostly to gpt-5-mini; 7 of 12 pass.
        assertThat(r.routerFirstTryPasses()).isEqualTo(7);
        assertThat(r.routerFirstTryCostUsd()).isCloseTo(0.5125, within(1e-9));
        assertThat(r.routerPasses()).isEqualTo(12);
        assertThat(r.samePassRate()).isTrue();
        assertThat(r.routerCostUsd()).isCloseTo(1.72425, within(1e-9));
        assertThat(r.savingPercent()).isCloseTo(28.380, within(0.001));
        assertThat(r.oracleSavingPercent()).isCloseTo(47.549, within(0.001));
        assertThat(r.results()).extracting(t -> t.attempts().stream().map(ReferenceWorkload.Attempt::model).toList()).containsExactly(
                List.of("qwen3-coder:30b"),
                List.of("claude-opus-4-5"),
                List.of("claude-opus-4-5"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b"),
                List.of("qwen3-coder:30b", "gpt-5-mini"),
                List.of("gpt-5-mini", "claude-sonnet-4-5"),
                List.of("gpt-5-mini", "claude-sonnet-4-5", "claude-opus-4-5"),
                List.of("qwen3-coder:30b"),
                List.of("gpt-5-mini", "claude-sonnet-4-5"),
                List.of("qwen3-coder:30b"),
                List.of("gpt-5-mini", "claude-sonnet-4-5"));
    }

    /** Reported, not tuned: how the text-and-size estimate compares with the fixture's hand-set difficulties. */
    @Test
    void estimatorAgreementWithTheHardSkewedDifficulties() {
        double[] agreement = agreement(HARD_SKEWED.get());
        assertThat(agreement[0]).isCloseTo(1.272, within(0.001));
        assertThat(agreement[1]).isCloseTo(-1.137, within(0.001));
        assertThat(agreement[2]).isEqualTo(10);
    }

    /** The same out of sample: the reference fixture's texts were written after the estimator. */
    @Test
    void estimatorAgreementWithTheReferenceDifficulties() {
        double[] agreement = agreement(ReferenceWorkload.standard());
        assertThat(agreement[0]).isCloseTo(1.251, within(0.001));
        assertThat(agreement[1]).isCloseTo(-1.251, within(0.001));
        assertThat(agreement[2]).isEqualTo(12);
    }

    /** Mean absolute error, mean bias (estimate − hand-set), and how many tasks were underestimated. */
    private static double[] agreement(ReferenceWorkload.Workload w) {
        double absError = 0, bias = 0;
        int under = 0;
        for (ReferenceWorkload.Task t : w.tasks()) {
            double est = DifficultyEstimator.estimate(t.text(), t.kind(), t.inputTokens(), t.outputTokens()).score();
            absError += Math.abs(est - t.difficulty());
            bias += est - t.difficulty();
            if (est < t.difficulty()) under++;
        }
        return new double[] {absError / w.tasks().size(), bias / w.tasks().size(), under};
    }

    @Test
    void hardSkewedQualityFirstRouterWithFallbackAgainstAllPremium() {
        ReferenceWorkload.Report r = ReferenceWorkload.run(HARD_SKEWED.get(), CATALOG, QUALITY_FIRST);
        assertThat(r.baseline()).isEqualTo("claude-opus-4-5");
        assertThat(r.baselinePasses()).isEqualTo(12);
        assertThat(r.baselineCostUsd()).isCloseTo(2.4075, within(1e-9));
        // First choices only: the scheduler design goes to gpt-5-mini, which fails it.
        assertThat(r.routerFirstTryPasses()).isEqualTo(11);
        assertThat(r.routerFirstTryCostUsd()).isCloseTo(1.946, within(1e-9));
        // With fallback every task passes, as with all-premium, so the costs compare like with like.
        assertThat(r.routerPasses()).isEqualTo(12);
        assertThat(r.samePassRate()).isTrue();
        assertThat(r.routerCostUsd()).isCloseTo(2.196, within(1e-9));
        assertThat(r.savingPercent()).isCloseTo(8.785, within(0.001));
        assertThat(r.oracleCostUsd()).isCloseTo(1.26275, within(1e-9));
        assertThat(r.oracleSavingPercent()).isCloseTo(47.549, within(0.001));
        assertThat(r.results().get(2).attempts()).extracting(ReferenceWorkload.Attempt::model)
                .containsExactly("gpt-5-mini", "claude-opus-4-5");
    }

    @Test
    void aHeavierCostWeightRoutesCodingToTheCheapModelAndSavesMore() {
        ReferenceWorkload.Report r = ReferenceWorkload.run(HARD_SKEWED.get(), CATALOG,
                QUALITY_FIRST.withWeights(1.0, 0.15, 0.02));
        assertThat(r.routerPasses()).isEqualTo(12);
        assertThat(r.routerCostUsd()).isCloseTo(1.7478, within(1e-9));
        assertThat(r.savingPercent()).isCloseTo(27.402, within(0.001));
        assertThat(r.results().get(3).attempts()).extracting(ReferenceWorkload.Attempt::model).containsExactly("gpt-5-mini");
    }

    @Test
    void badFilesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> ReferenceWorkload.parse("baseline: a\nmodels: [b]\ntasks: []\n", "w.yaml"))
                .hasMessageContaining("baseline a must be one of the models");
        assertThatThrownBy(() -> ReferenceWorkload.parse("""
                baseline: a
                models: [a]
                tasks:
                  - { id: t, kind: coding, input_tokens: 1, output_tokens: 1, passes: [z] }
                """, "w.yaml")).hasMessageContaining("task t: passes names z");
        assertThatThrownBy(() -> ReferenceWorkload.run(ReferenceWorkload.parse("""
                baseline: nope
                models: [nope]
                tasks:
                  - { id: t, kind: coding, input_tokens: 1, output_tokens: 1, passes: [nope] }
                """, "w.yaml"), CATALOG, RoutingSettings.DEFAULTS)).hasMessageContaining("nope, which is not in the catalog");
    }
}
