package dev.ensemble.gateway.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute per key, over a sliding minute (not a fixed one, which lets twice the limit
 * through across a minute's boundary). In memory: a limit on the rate needs no history older than
 * a minute, so a restart forgets nothing that matters.
 */
final class RateWindow {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private final Map<String, ArrayDeque<Instant>> requests = new ConcurrentHashMap<>();

    /**
     * Counts a request at {@code now} when fewer than {@code perMinute} were made in the minute
     * before; otherwise counts nothing and returns how long until one may be made.
     */
    Optional<Duration> tryAcquire(String keyId, int perMinute, Instant now) {
        ArrayDeque<Instant> times = requests.computeIfAbsent(keyId, id -> new ArrayDeque<>());
        synchronized (times) {
            Instant windowStart = now.minus(MINUTE);
            while (!times.isEmpty() && !times.peekFirst().isAfter(windowStart)) times.pollFirst();
            if (times.size() >= perMinute) return Optional.of(Duration.between(windowStart, times.peekFirst()));
            times.addLast(now);
            return Optional.empty();
        }
    }
}
