package dev.ensemble.core.routing;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * How the router weighs quality against cost and speed, from the {@code routing:} section.
 *
 * <p>score = quality_weight × q − cost_weight × ln(1 + cost / cost_scale_usd) − speed_weight × ln(1 + seconds / seconds_scale)
 *
 * <p>q is the expected chance of success (0..1). Cost and time enter through a logarithm because
 * prices span three orders of magnitude: going from $0.001 to $0.01 should matter about as much as
 * from $0.01 to $0.10, and a free local model should not win on price alone. The defaults
 * (1.0, 0.05 with $0.01, 0.02 with 10 s) mean that a tenfold price increase costs about 0.12 of
 * quality at typical prices, so a clearly better model is worth paying for, a marginally better
 * one is not.
 *
 * <p>That score is the {@code quality-first} strategy. The default, {@code expected-cost}, ranks by
 * expected cost to a passing result among candidates whose chance of passing ({@link PassModel},
 * curve slope {@code pass_slope}) is at least {@code pass_floor}; see {@link Router}. The floor stands
 * for what a failure costs beyond dollars (time, a person's attention): below it a model is not
 * tried first however cheap, so a free local model does not get every task.
 *
 * <pre>
 * routing:
 *   strategy: expected-cost   # or quality-first
 *   pass_slope: 1.5           # logistic slope per capability point (P(pass) vs difficulty)
 *   pass_floor: 0.5           # least P(pass) for a first choice under expected-cost
 *   weights: { quality: 1.0, cost: 0.05, speed: 0.02 }
 *   cost_scale_usd: 0.01
 *   seconds_scale: 10
 *   prior_strength: 10        # pseudo-observations behind each capability score
 * </pre>
 */
public record RoutingSettings(double qualityWeight, double costWeight, double speedWeight, double costScaleUsd,
                              double secondsScale, double priorStrength, RoutingStrategy strategy, double passSlope,
                              double passFloor) {
    public static final RoutingStrategy DEFAULT_STRATEGY = RoutingStrategy.EXPECTED_COST;
    public static final double DEFAULT_PASS_SLOPE = 1.5;
    public static final double DEFAULT_PASS_FLOOR = 0.5;
    public static final RoutingSettings DEFAULTS = new RoutingSettings(1.0, 0.05, 0.02, 0.01, 10, 10);
    private static final String SOURCE = "configuration (routing)";

    public RoutingSettings {
        if (qualityWeight < 0 || costWeight < 0 || speedWeight < 0) throw new IllegalArgumentException("routing weights cannot be negative");
        if (costScaleUsd <= 0 || secondsScale <= 0 || priorStrength <= 0) {
            throw new IllegalArgumentException("cost_scale_usd, seconds_scale and prior_strength must be positive");
        }
        java.util.Objects.requireNonNull(strategy, "strategy");
        if (!(passSlope > 0) || !Double.isFinite(passSlope)) throw new IllegalArgumentException("pass_slope must be positive");
        if (!(passFloor >= 0 && passFloor < 1)) throw new IllegalArgumentException("pass_floor must be within 0..1 (1 excluded)");
    }

    /** The weighted-score settings with the default strategy, slope and floor. */
    public RoutingSettings(double qualityWeight, double costWeight, double speedWeight, double costScaleUsd, double secondsScale,
                           double priorStrength) {
        this(qualityWeight, costWeight, speedWeight, costScaleUsd, secondsScale, priorStrength, DEFAULT_STRATEGY, DEFAULT_PASS_SLOPE,
                DEFAULT_PASS_FLOOR);
    }

    public RoutingSettings withStrategy(RoutingStrategy s) {
        return new RoutingSettings(qualityWeight, costWeight, speedWeight, costScaleUsd, secondsScale, priorStrength, s, passSlope, passFloor);
    }

    public RoutingSettings withPassCurve(double slope, double floor) {
        return new RoutingSettings(qualityWeight, costWeight, speedWeight, costScaleUsd, secondsScale, priorStrength, strategy, slope, floor);
    }

    public RoutingSettings withWeights(double quality, double cost, double speed) {
        return new RoutingSettings(quality, cost, speed, costScaleUsd, secondsScale, priorStrength, strategy, passSlope, passFloor);
    }

    public RoutingSettings withPriorStrength(double strength) {
        return new RoutingSettings(qualityWeight, costWeight, speedWeight, costScaleUsd, secondsScale, strength, strategy, passSlope, passFloor);
    }

    /** The defaults with the section's values over them; every bad value is reported together, without file or line. */
    public static RoutingSettings load(JsonNode section) {
        return load(section, ConfigLocator.unplaced(SOURCE));
    }

    /** As {@link #load(JsonNode)}, each error placed by {@code locator}: the file, line and key where it was written. */
    public static RoutingSettings load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isNull() || section.isMissingNode()) return DEFAULTS;
        List<ConfigError> errors = new ArrayList<>();
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("routing", "expected a mapping")));
        Set<String> known = Set.of("weights", "cost_scale_usd", "seconds_scale", "prior_strength", "strategy", "pass_slope", "pass_floor");
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            if (!known.contains(e.getKey())) {
                errors.add(locator.error("routing." + e.getKey(), "unknown setting (expected one of strategy, weights, cost_scale_usd, seconds_scale, prior_strength, pass_slope, pass_floor)"));
            }
        }
        JsonNode weights = section.path("weights");
        if (!weights.isMissingNode() && !weights.isObject()) {
            errors.add(locator.error("routing.weights", "expected a mapping with quality, cost, speed"));
        } else {
            for (Map.Entry<String, JsonNode> e : weights.properties()) {
                if (!Set.of("quality", "cost", "speed").contains(e.getKey())) {
                    errors.add(locator.error("routing.weights." + e.getKey(), "unknown weight (expected quality, cost or speed)"));
                }
            }
        }
        double q = number(weights, "quality", "routing.weights.quality", DEFAULTS.qualityWeight, false, errors, locator);
        double c = number(weights, "cost", "routing.weights.cost", DEFAULTS.costWeight, false, errors, locator);
        double s = number(weights, "speed", "routing.weights.speed", DEFAULTS.speedWeight, false, errors, locator);
        double cs = number(section, "cost_scale_usd", "routing.cost_scale_usd", DEFAULTS.costScaleUsd, true, errors, locator);
        double ss = number(section, "seconds_scale", "routing.seconds_scale", DEFAULTS.secondsScale, true, errors, locator);
        double ps = number(section, "prior_strength", "routing.prior_strength", DEFAULTS.priorStrength, true, errors, locator);
        double slope = number(section, "pass_slope", "routing.pass_slope", DEFAULT_PASS_SLOPE, true, errors, locator);
        double floor = number(section, "pass_floor", "routing.pass_floor", DEFAULT_PASS_FLOOR, false, errors, locator);
        if (floor >= 1) {
            errors.add(locator.error("routing.pass_floor", "expected a number from 0 up to (not including) 1, got " + floor));
            floor = DEFAULT_PASS_FLOOR;
        }
        RoutingStrategy strategy = DEFAULT_STRATEGY;
        JsonNode st = section.path("strategy");
        if (!st.isMissingNode() && !st.isNull()) {
            try {
                if (!st.isString()) throw new IllegalArgumentException("expected expected-cost or quality-first, got " + st);
                strategy = RoutingStrategy.fromKey(st.asString());
            } catch (IllegalArgumentException e) {
                errors.add(locator.error("routing.strategy", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new RoutingSettings(q, c, s, cs, ss, ps, strategy, slope, floor);
    }

    static double number(JsonNode node, String field, String key, double fallback, boolean positive, List<ConfigError> errors,
                         ConfigLocator locator) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) return fallback;
        if (!value.isNumber() || value.asDouble() < 0 || (positive && value.asDouble() == 0) || !Double.isFinite(value.asDouble())) {
            errors.add(locator.error(key, "expected a " + (positive ? "positive" : "non-negative") + " number, got " + value));
            return fallback;
        }
        return value.asDouble();
    }
}
