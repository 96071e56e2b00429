package dev.ensemble.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Money held for requests that were admitted and are still in flight, by budget scope ("day",
 * a run, a task, a key's period). A budget check reads what was spent from the ledger, which
 * knows a call only once it is over; without a hold, N requests arriving together all see the same
 * "spent" and all pass a check that only one should. Here the check and the hold are one step
 * under one lock: each admitted request holds its worst case on every scope it counts against,
 * the next check adds what is held, and the hold is given back when the request's model step is
 * over, by which time its real cost is in the ledger (the settle-to-real-cost half).
 */
public final class Reservations {
    private final Map<String, Double> held = new HashMap<>();

    /** What a check decided: a refusal of type {@code R}, or a hold to release when the step is over. */
    public record Outcome<R>(Optional<R> refusal, Runnable release) { }

    /**
     * Runs {@code check} (given what is held now per scope) and, unless it refuses, holds
     * {@code usd} on each of {@code scopes}. A $0 request holds nothing.
     */
    public synchronized <R> Outcome<R> admit(List<String> scopes, double usd, Function<ToDoubleFunction<String>, Optional<R>> check) {
        Optional<R> refusal = check.apply(scope -> held.getOrDefault(scope, 0.0));
        if (refusal.isPresent() || usd <= 0 || scopes.isEmpty()) return new Outcome<>(refusal, () -> { });
        for (String scope : scopes) held.merge(scope, usd, Double::sum);
        return new Outcome<>(Optional.empty(), once(scopes, usd));
    }

    /** What is held on {@code scope} now. */
    public synchronized double held(String scope) {
        return held.getOrDefault(scope, 0.0);
    }

    private Runnable once(List<String> scopes, double usd) {
        List<String> copy = List.copyOf(scopes);
        boolean[] done = {false};
        return () -> {
            synchronized (this) {
                if (done[0]) return;
                done[0] = true;
                for (String scope : copy) {
                    // Gone at (about) zero, so a long-lived gateway keeps no entry per finished task.
                    held.computeIfPresent(scope, (k, v) -> v - usd <= 1e-12 ? null : v - usd);
                }
            }
        };
    }
}
