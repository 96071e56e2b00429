package dev.ensemble.core.routing;

/**
 * The chance that a model passes a task, from its capability for the kind against the task's
 * estimated difficulty, both on the 0–10 scale:
 *
 * <pre>
 * P(pass) = 1 / (1 + exp(−slope × (capability' − difficulty)))
 * capability' = capability + 10 × (posterior mean − prior mean)      (see {@link QualityEstimate})
 * </pre>
 *
 * A model exactly as capable as the task is hard passes half the time; with the default slope of 1.5
 * per point, one point above passes ~82%, two points ~95%, one point below ~18%. Evidence moves the
 * intercept: the Beta posterior over the model's verdicts for the kind shifts its capability by the
 * change it makes to the expected pass rate, in capability points (k = prior strength: with 10, two
 * failures move a 8.3 model to 6.9, two passes to 8.6). The evidence counts carry no difficulty, so a
 * failure on a hard task counts against the model on easy ones too: simple, and cautious.
 */
public final class PassModel {
    private PassModel() {}

    public static double effectiveCapability(double capabilityScore, double priorStrength, Evidence evidence) {
        double prior = Math.clamp(capabilityScore / 10.0, 0.0, 1.0);
        return capabilityScore + 10 * (QualityEstimate.posteriorMean(capabilityScore, priorStrength, evidence) - prior);
    }

    public static double passProbability(double effectiveCapability, double difficulty, double slope) {
        return 1 / (1 + Math.exp(-slope * (effectiveCapability - difficulty)));
    }
}
