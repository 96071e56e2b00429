package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;

/** Cost and time estimates from catalog prices and throughput. */
public final class Costs {
    /** Used when a catalog entry gives no throughput, so time estimates stay finite. */
    static final double FALLBACK_TOKENS_PER_SECOND = 30;

    private Costs() {}

    public static double expectedUsd(ModelSpec model, long inputTokens, long outputTokens) {
        return model.costUsd(new Usage(inputTokens, outputTokens, 0));
    }

    /**
     * The most one call can cost: the input estimate plus the output cap ({@code outputCap}, or the
     * model's maximum output when 0 or larger) at catalog prices. What budgets are checked against.
     */
    public static double worstCaseUsd(ModelSpec model, long inputTokens, long outputCap) {
        long cap = outputCap <= 0 ? model.maxOutputTokens() : Math.min(outputCap, model.maxOutputTokens());
        return model.costUsd(new Usage(inputTokens, cap, 0));
    }

    public static double expectedSeconds(ModelSpec model, long outputTokens) {
        double tps = model.tokensPerSecond() > 0 ? model.tokensPerSecond() : FALLBACK_TOKENS_PER_SECOND;
        return outputTokens / tps;
    }
}
