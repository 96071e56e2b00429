package dev.ensemble.core.routing;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One router's cost–quality curve over the test half, from all-weak to all-strong (one point per
 * prompt switched), and where it reaches the target quality.
 *
 * @param savingAtTarget     1 − cost/strong-only cost where the curve first reaches the target
 *                           (interpolated between the two points around it); empty if it never does
 * @param strongShareAtTarget the share of prompts sent to the strong model there
 */
public record RouterCurve(String name, String description, List<CurvePoint> curve, OptionalDouble savingAtTarget,
                          OptionalDouble strongShareAtTarget, OptionalDouble costAtTarget) {
    public RouterCurve {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        curve = List.copyOf(curve);
    }

    /** About {@code points} points evenly spaced by strong share, for a table (first and last always included). */
    public List<CurvePoint> sample(int points) {
        int n = curve.size() - 1;
        java.util.List<CurvePoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < points; i++) out.add(curve.get((int) Math.round((double) i * n / (points - 1))));
        return out;
    }
}
