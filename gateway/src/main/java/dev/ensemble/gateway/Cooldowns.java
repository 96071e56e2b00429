package dev.ensemble.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models a provider asked to leave alone for a while (429 with Retry-After). Until then a request
 * whose chain has another model goes straight to it instead of being refused again; the last
 * model of a chain is still tried, since trying beats refusing outright.
 */
final class Cooldowns {
    private final Map<String, Long> until = new ConcurrentHashMap<>();

    void coolDown(String modelId, Duration wait) {
        if (wait.isZero() || wait.isNegative()) return;
        until.merge(modelId, System.nanoTime() + wait.toNanos(), Math::max);
    }

    boolean cooling(String modelId) {
        Long end = until.get(modelId);
        if (end == null) return false;
        if (System.nanoTime() - end < 0) return true;
        until.remove(modelId, end);
        return false;
    }
}
