package dev.ensemble.llm;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.llm.ModelException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Stops calling a model that is down. Closed: calls pass, and {@code failureThreshold} counted
 * failures in a row open it. Open: calls fail at once with {@link Kind#CIRCUIT_OPEN} (not
 * retryable, so retries stop and a fallback chain moves on) until {@code openFor} has passed.
 * Half-open: one trial call goes through while others still fail fast; its success closes the
 * circuit, its failure opens it again for another {@code openFor}.
 *
 * <p>Only failures that say the model is unavailable count: the kinds that are retryable by
 * default (rate limits, 5xx, overload, connection, timeouts, cut or malformed streams). Errors
 * about the request or the caller's setup (bad request, context too long, auth, unknown model,
 * no key, budget, interrupt) prove the server answered or never reached it; they neither count
 * nor reset the count, and a half-open trial that ends in one leaves the circuit half-open for
 * the next caller to try.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final String modelId;
    private final BreakerSettings settings;
    private final Clock clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;
    private boolean trialInFlight;
    private Kind lastFailure;

    public CircuitBreaker(String modelId, BreakerSettings settings, Clock clock) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String modelId() {
        return modelId;
    }

    /** The state now; an open circuit whose time is up reads as half-open. */
    public synchronized State state() {
        if (state == State.OPEN && !clock.instant().isBefore(openUntil)) return State.HALF_OPEN;
        return state;
    }

    /**
     * Asks to make a call. Returns normally when it may go ahead (the caller must then report
     * {@link #onSuccess}, {@link #onFailure} or {@link #onNeutral}); throws otherwise.
     *
     * @throws ModelException of kind {@link Kind#CIRCUIT_OPEN}, saying when the model is tried again
     */
    public synchronized void acquire() {
        Instant now = clock.instant();
        if (state == State.OPEN) {
            if (now.isBefore(openUntil)) throw open(now);
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        if (state == State.HALF_OPEN) {
            if (trialInFlight) {
                throw new ModelException(Kind.CIRCUIT_OPEN, modelId + ": circuit half-open after "
                        + settings.failureThreshold() + " failures in a row; a trial call is in progress");
            }
            trialInFlight = true;
        }
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    /** Reports a failed call; only the kinds that mean "the model is down" count (see the class comment). */
    public synchronized void onFailure(ModelException failure) {
        if (!counts(failure.kind())) {
            onNeutral();
            return;
        }
        lastFailure = failure.kind();
        trialInFlight = false;
        if (state == State.HALF_OPEN) {
            trip();
            return;
        }
        consecutiveFailures++;
        if (consecutiveFailures >= settings.failureThreshold()) trip();
    }

    /** The call ended in a way that says nothing about the model's health. */
    public synchronized void onNeutral() {
        trialInFlight = false;
    }

    public static boolean counts(Kind kind) {
        return kind.retryableByDefault();
    }

    private void trip() {
        state = State.OPEN;
        openUntil = clock.instant().plus(settings.openFor());
        consecutiveFailures = 0;
    }

    private ModelException open(Instant now) {
        Duration left = Duration.between(now, openUntil);
        String why = lastFailure == null ? "" : " (last: " + lastFailure.label() + ")";
        return new ModelException(Kind.CIRCUIT_OPEN, modelId + ": circuit open after " + settings.failureThreshold()
                + " failures in a row" + why + "; will try again at " + openUntil + " (in "
                + Math.max(1, (left.toMillis() + 999) / 1000) + " s)");
    }
}
