package dev.ensemble.llm;

import java.time.Duration;

/**
 * Waits between retries. Tests pass one that records the waits instead of sleeping, so backoff
 * is checked exactly and a test suite never sleeps for it.
 */
@FunctionalInterface
public interface Sleeper {

    /** Really sleeps; an interrupt ends the wait with {@link ModelException.Kind#INTERRUPTED}. */
    Sleeper REAL = duration -> {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.INTERRUPTED, "interrupted while waiting to retry");
        }
    };

    void sleep(Duration duration);
}
