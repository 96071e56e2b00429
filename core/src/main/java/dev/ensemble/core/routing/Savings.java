package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a set of calls cost against what it would have cost had every call gone to one baseline
 * model: each call's own tokens (cached input included) at the baseline's prices. Local calls cost
 * $0 but their tokens are counted, in {@code tokens} and in {@code localTokens}.
 */
public record Savings(int calls, Usage tokens, Usage localTokens, double actualUsd, double baselineUsd, String baselineModel) {
    public Savings {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(localTokens, "localTokens");
        Objects.requireNonNull(baselineModel, "baselineModel");
    }

    public static Savings of(List<PricedCall> calls, ModelSpec baseline) {
        Usage tokens = Usage.ZERO;
        Usage local = Usage.ZERO;
        double actual = 0;
        double base = 0;
        for (PricedCall call : calls) {
            tokens = tokens.plus(call.usage());
            if (call.model().local()) local = local.plus(call.usage());
            actual += call.costUsd();
            base += baseline.costUsd(call.usage());
        }
        return new Savings(calls.size(), tokens, local, actual, base, baseline.id());
    }

    /** Saved versus the baseline, in percent of the baseline's cost; negative when the calls cost more; 0 when the baseline is free. */
    public double savingPercent() {
        return baselineUsd == 0 ? 0 : 100 * (baselineUsd - actualUsd) / baselineUsd;
    }

    /**
     * The default baseline, "the premium planner": the cloud model with the highest planning score,
     * the pricier one on a tie (premium is what the baseline stands for).
     */
    public static Optional<ModelSpec> premiumPlanner(Collection<ModelSpec> models) {
        return models.stream().filter(m -> !m.local() && m.capability(TaskKind.PLANNING).isPresent())
                .max(Comparator.<ModelSpec>comparingDouble(m -> m.capability(TaskKind.PLANNING).orElseThrow().score())
                        .thenComparingDouble(m -> m.pricing().inputPerMtok() + m.pricing().outputPerMtok())
                        .thenComparing(ModelSpec::id, Comparator.reverseOrder()));
    }
}
