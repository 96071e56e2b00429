package dev.ensemble.gateway.attempt;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * When the gateway stops an agent that is going round in circles ({@code policy.runaway}):
 * {@code sameToolCall} identical tool calls in a row (the same tool with the same arguments, one
 * after another in the conversation), or {@code noProgressRequests} requests in a row that bring no
 * tool result the attempt has not seen before. 0 turns a rule off.
 *
 * <pre>
 * policy:
 *   runaway: { same_tool_call: 5, no_progress_requests: 10 }
 * </pre>
 */
public record RunawayLimits(int sameToolCall, int noProgressRequests) {
    public static final RunawayLimits DEFAULT = new RunawayLimits(5, 10);
    public static final RunawayLimits OFF = new RunawayLimits(0, 0);
    private static final Set<String> KEYS = Set.of("same_tool_call", "no_progress_requests");

    public RunawayLimits {
        if (sameToolCall < 0 || noProgressRequests < 0) throw new IllegalArgumentException("runaway limits cannot be negative");
        if (sameToolCall == 1) throw new IllegalArgumentException("same_tool_call must be 0 (off) or at least 2");
    }

    /** The {@code policy.runaway} mapping over the defaults; errors placed by {@code locator}. */
    public static RunawayLimits load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isNull() || section.isMissingNode()) return DEFAULT;
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("policy.runaway", "expected a mapping")));
        List<ConfigError> errors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            if (!KEYS.contains(e.getKey())) {
                errors.add(locator.error("policy.runaway." + e.getKey(), "unknown setting (expected same_tool_call or no_progress_requests)"));
            }
        }
        int same = count(section, "same_tool_call", DEFAULT.sameToolCall, 2, errors, locator);
        int noProgress = count(section, "no_progress_requests", DEFAULT.noProgressRequests, 1, errors, locator);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new RunawayLimits(same, noProgress);
    }

    private static int count(JsonNode section, String field, int fallback, int least, List<ConfigError> errors, ConfigLocator locator) {
        JsonNode value = section.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > 100_000 || (value.asLong() != 0 && value.asLong() < least)) {
            errors.add(locator.error("policy.runaway." + field, "expected 0 (off) or a whole number from " + least + " to 100000, got " + value));
            return fallback;
        }
        return value.asInt();
    }
}
