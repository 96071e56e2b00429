package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import java.util.Objects;

/**
 * A model that could serve the task, ranked by {@code score} (higher is better).
 *
 * @param expectedQuality chance of a passing result, 0..1 (capability prior updated by evidence)
 * @param expectedCostUsd estimated input and output tokens at catalog prices
 * @param worstCaseUsd    estimated input plus the output cap at catalog prices: what budgets check
 * @param expectedSeconds estimated output tokens over the model's typical throughput
 * @param reason          one line a person can check
 */
public record Candidate(ModelSpec model, double score, double expectedQuality, double expectedCostUsd, double worstCaseUsd,
                        double expectedSeconds, String reason) {
    public Candidate {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
    }
}
