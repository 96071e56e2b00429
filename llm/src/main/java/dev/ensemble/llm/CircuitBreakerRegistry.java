package dev.ensemble.llm;

import dev.ensemble.core.BreakerSettings;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link CircuitBreaker} per model id, shared by everything that calls that model. Passed
 * around as an object (one per process in practice) rather than kept in a static, so tests and
 * several engines in one JVM stay apart.
 */
public final class CircuitBreakerRegistry {
    private final BreakerSettings settings;
    private final Clock clock;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    public CircuitBreakerRegistry(BreakerSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public CircuitBreakerRegistry(BreakerSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public CircuitBreaker forModel(String modelId) {
        return breakers.computeIfAbsent(modelId, id -> new CircuitBreaker(id, settings, clock));
    }

    /** Every breaker created so far and its state, by model id (for status pages and metrics). */
    public Map<String, CircuitBreaker.State> states() {
        Map<String, CircuitBreaker.State> out = new TreeMap<>();
        breakers.forEach((id, breaker) -> out.put(id, breaker.state()));
        return out;
    }
}
