package dev.ensemble.core.routing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What rules models out, whatever their score.
 *
 * @param budgetLeftUsd    the least budget left over the limits that apply (see {@link Budget#left}); absent: no limit
 * @param localOnly        only local models ({@code local_only: true} or {@code --local})
 * @param needsTools       the task needs tool calling
 * @param minContextWindow tokens of context the caller needs at least, beyond input + output (0: none)
 * @param latencyBound     longest acceptable expected generation time; absent: none
 * @param unavailable      model id → why it cannot be called now (no key, not pulled), from the caller's availability check
 * @param outputCap        the {@code max_tokens} the call will carry, for the worst-case cost; 0 means the model's own maximum
 */
public record Constraints(OptionalDouble budgetLeftUsd, boolean localOnly, boolean needsTools, long minContextWindow,
                          Optional<Duration> latencyBound, Map<String, String> unavailable, long outputCap) {
    public static final Constraints NONE = new Constraints(OptionalDouble.empty(), false, false, 0, Optional.empty(), Map.of(), 0);

    public Constraints {
        Objects.requireNonNull(budgetLeftUsd, "budgetLeftUsd");
        Objects.requireNonNull(latencyBound, "latencyBound");
        unavailable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
        if (minContextWindow < 0 || outputCap < 0) throw new IllegalArgumentException("token limits cannot be negative");
    }

    public Constraints withBudgetLeft(double usd) {
        return new Constraints(OptionalDouble.of(usd), localOnly, needsTools, minContextWindow, latencyBound, unavailable, outputCap);
    }

    public Constraints withLocalOnly(boolean local) {
        return new Constraints(budgetLeftUsd, local, needsTools, minContextWindow, latencyBound, unavailable, outputCap);
    }

    public Constraints withNeedsTools(boolean tools) {
        return new Constraints(budgetLeftUsd, localOnly, tools, minContextWindow, latencyBound, unavailable, outputCap);
    }

    public Constraints withMinContextWindow(long tokens) {
        return new Constraints(budgetLeftUsd, localOnly, needsTools, tokens, latencyBound, unavailable, outputCap);
    }

    public Constraints withLatencyBound(Duration bound) {
        return new Constraints(budgetLeftUsd, localOnly, needsTools, minContextWindow, Optional.of(bound), unavailable, outputCap);
    }

    public Constraints withOutputCap(long tokens) {
        return new Constraints(budgetLeftUsd, localOnly, needsTools, minContextWindow, latencyBound, unavailable, tokens);
    }

    /** Adds one model the caller cannot use, with why. */
    public Constraints withUnavailable(String modelId, String reason) {
        Map<String, String> more = new LinkedHashMap<>(unavailable);
        more.put(modelId, reason);
        return new Constraints(budgetLeftUsd, localOnly, needsTools, minContextWindow, latencyBound, more, outputCap);
    }
}
