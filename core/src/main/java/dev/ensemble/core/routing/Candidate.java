package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import java.util.Objects;

/**
 * A model that could serve the task, ranked by {@code score} (higher is better).
 *
 * @param score           quality-first: the weighted score; expected-cost: −(expected cost incl.
 *                        escalation) in USD for candidates at or over the pass floor, P(pass) − 1000 under it
 * @param expectedQuality chance of a passing result, 0..1 (quality-first: capability prior updated by
 *                        evidence; expected-cost: P(pass) against the task's estimated difficulty)
 * @param expectedCostUsd estimated input and output tokens at catalog prices
 * @param worstCaseUsd    estimated input plus the output cap at catalog prices: what budgets check
 * @param expectedSeconds estimated output tokens over the model's typical throughput
 * @param expectedCostWithEscalationUsd expected-cost: this try plus (1 − P(pass)) × the cheapest
 *                        stronger candidate's own expected cost; quality-first: the same as {@code expectedCostUsd}
 * @param reason          one line a person can check
 */
public record Candidate(ModelSpec model, double score, double expectedQuality, double expectedCostUsd, double worstCaseUsd,
                        double expectedSeconds, double expectedCostWithEscalationUsd, String reason) {
    public Candidate {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
    }
}
