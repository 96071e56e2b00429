package dev.ensemble.core.routing;

import java.util.Locale;

/**
 * How the router picks among feasible models ({@code routing.strategy}).
 * <ul>
 *   <li>{@code expected-cost} (default): the cheapest expected cost to a passing result, counting
 *       escalation, among the models likely enough to pass (see {@link PassModel});</li>
 *   <li>{@code quality-first}: the weighted quality − cost − speed score of {@link RoutingSettings}.</li>
 * </ul>
 */
public enum RoutingStrategy {
    EXPECTED_COST, QUALITY_FIRST;

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RoutingStrategy fromKey(String key) {
        for (RoutingStrategy s : values()) {
            if (s.key().equalsIgnoreCase(key)) return s;
        }
        throw new IllegalArgumentException("unknown routing strategy '" + key + "' (expected expected-cost or quality-first)");
    }
}
