package dev.ensemble.core.routing;

/**
 * Expected quality (chance of a passing verdict) of a model on a kind of task: the mean of a Beta
 * posterior whose prior is centred on the catalog's capability score.
 *
 * <p>The prior is Beta(s·k, (1−s)·k) with s = score/10 and k = {@code priorStrength}
 * pseudo-observations; after p passes and f failures the posterior mean is (s·k + p)/(k + p + f).
 * Why this and not a bandit or nearest neighbours: it is explainable in one line ("9.5/10 prior, 3
 * of 12 passed → 0.54"); with little data it stays near the published benchmark, so one unlucky
 * task does not flip routing; and it moves steadily with evidence, a model's own record outweighing
 * the benchmark once it has more outcomes than k. Exploration is left out on purpose: routing
 * decides real spending, and the prior already gives every model with a good benchmark a chance.
 */
public final class QualityEstimate {
    private QualityEstimate() {}

    public static double posteriorMean(double capabilityScore, double priorStrength, Evidence evidence) {
        double s = Math.clamp(capabilityScore / 10.0, 0.0, 1.0);
        return (s * priorStrength + evidence.successes()) / (priorStrength + evidence.outcomes());
    }
}
