package dev.ensemble.core.routing;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Hard spending limits in USD, from the {@code budget:} section: per day (default $50), and
 * optionally per run and per task; a warning when spending would reach {@code warnAt} of a limit;
 * and the forecast above which the caller must approve before anything runs.
 *
 * <pre>
 * budget:
 *   daily_usd: 50
 *   run_usd: 5
 *   task_usd: 1
 *   warn_at: 0.8
 *   approve_above_usd: 2
 * </pre>
 */
public record Budget(OptionalDouble dailyUsd, OptionalDouble runUsd, OptionalDouble taskUsd, double warnAt,
                     OptionalDouble approveAboveUsd) {
    public static final double DEFAULT_DAILY_USD = 50;
    public static final Budget DEFAULT = new Budget(OptionalDouble.of(DEFAULT_DAILY_USD), OptionalDouble.empty(),
            OptionalDouble.empty(), 0.8, OptionalDouble.empty());
    private static final String SOURCE = "configuration (budget)";

    public Budget {
        Objects.requireNonNull(dailyUsd, "dailyUsd");
        Objects.requireNonNull(runUsd, "runUsd");
        Objects.requireNonNull(taskUsd, "taskUsd");
        Objects.requireNonNull(approveAboveUsd, "approveAboveUsd");
        if (!(warnAt > 0 && warnAt <= 1)) throw new IllegalArgumentException("warn_at must be within (0, 1], was " + warnAt);
        for (OptionalDouble limit : List.of(dailyUsd, runUsd, taskUsd, approveAboveUsd)) {
            if (limit.isPresent() && limit.getAsDouble() < 0) throw new IllegalArgumentException("budget limits cannot be negative");
        }
    }

    /** The least left under any limit that applies: what {@link Constraints#budgetLeftUsd} should carry. */
    public OptionalDouble left(Spent spent) {
        OptionalDouble least = OptionalDouble.empty();
        for (Limit limit : limits(spent)) {
            double left = Math.max(0, limit.usd - limit.spent);
            if (least.isEmpty() || left < least.getAsDouble()) least = OptionalDouble.of(left);
        }
        return least;
    }

    record Limit(String name, double usd, double spent) {}

    List<Limit> limits(Spent spent) {
        List<Limit> limits = new ArrayList<>();
        dailyUsd.ifPresent(v -> limits.add(new Limit("daily", v, spent.todayUsd())));
        runUsd.ifPresent(v -> limits.add(new Limit("run", v, spent.runUsd())));
        taskUsd.ifPresent(v -> limits.add(new Limit("task", v, spent.taskUsd())));
        return limits;
    }

    /** The defaults with the section's values over them; {@code null} for a limit removes it. Errors name no file or line. */
    public static Budget load(JsonNode section) {
        return load(section, ConfigLocator.unplaced(SOURCE));
    }

    /**
     * As {@link #load(JsonNode)}, each error placed by {@code locator} (usually the configuration
     * snapshot's): the file, line and key where the value was written.
     */
    public static Budget load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isNull() || section.isMissingNode()) return DEFAULT;
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("budget", "expected a mapping")));
        List<ConfigError> errors = new ArrayList<>();
        Set<String> known = Set.of("daily_usd", "run_usd", "task_usd", "warn_at", "approve_above_usd");
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            if (!known.contains(e.getKey())) {
                errors.add(locator.error("budget." + e.getKey(), "unknown setting (expected one of daily_usd, run_usd, task_usd, warn_at, approve_above_usd)"));
            }
        }
        OptionalDouble daily = limit(section, "daily_usd", DEFAULT.dailyUsd, errors, locator);
        OptionalDouble run = limit(section, "run_usd", OptionalDouble.empty(), errors, locator);
        OptionalDouble task = limit(section, "task_usd", OptionalDouble.empty(), errors, locator);
        OptionalDouble approve = limit(section, "approve_above_usd", OptionalDouble.empty(), errors, locator);
        double warnAt = RoutingSettings.number(section, "warn_at", "budget.warn_at", DEFAULT.warnAt, true, errors, locator);
        if (warnAt > 1) {
            errors.add(locator.error("budget.warn_at", "expected a fraction of the limit within (0, 1], got " + warnAt));
            warnAt = DEFAULT.warnAt;
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new Budget(daily, run, task, warnAt, approve);
    }

    private static OptionalDouble limit(JsonNode section, String field, OptionalDouble fallback, List<ConfigError> errors,
                                        ConfigLocator locator) {
        if (!section.has(field)) return fallback;
        if (section.get(field).isNull()) return OptionalDouble.empty();
        double value = RoutingSettings.number(section, field, "budget." + field, -1, false, errors, locator);
        return value < 0 ? fallback : OptionalDouble.of(value);
    }
}
