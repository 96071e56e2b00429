package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.RetrySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Tries one model again when a failure is worth retrying ({@link ModelException#retryable()}).
 * Attempt n waits {@code initial * multiplier^(n-1)}, capped, ± jitter; a server's Retry-After
 * wins when it asks for longer. A Retry-After beyond {@link RetrySettings#maxRetryAfter()} is not
 * waited for: the call fails at once so that a fallback chain moves on to the next model.
 *
 * <p>A streamed attempt that broke off may be retried: the listener is told through
 * {@link StreamListener#onAttemptFailed} and the answer returned is the retry's alone. The
 * failed attempts travel with the outcome: on success as {@link ChatResponse#failures()}, on
 * failure as the suppressed exceptions of the final one, in attempt order (what
 * {@link FallbackChatModel} reads to list every attempt).
 */
public final class RetryingChatModel implements ChatModel {
    private final ChatModel inner;
    private final RetrySettings settings;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public RetryingChatModel(ChatModel inner, RetrySettings settings, Sleeper sleeper, RandomGenerator random) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
    }

    public RetryingChatModel(ChatModel inner, RetrySettings settings) {
        this(inner, settings, Sleeper.REAL, RandomGenerator.getDefault());
    }

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        List<FailedAttempt> failures = new ArrayList<>();
        List<ModelException> earlier = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            CallContext context = request.context().withAttempt(attempt);
            try {
                ChatResponse response = inner.chat(request.withContext(context), listener);
                return failures.isEmpty() ? response : response.withFailures(concat(failures, response.failures()));
            } catch (ModelException e) {
                if (!e.retryable()) throw withEarlier(e, earlier);
                if (attempt >= settings.maxAttempts()) {
                    throw withEarlier(gaveUp(e, attempt), earlier);
                }
                Optional<Duration> retryAfter = e.retryAfter();
                if (retryAfter.isPresent() && retryAfter.get().compareTo(settings.maxRetryAfter()) > 0) {
                    throw withEarlier(tooLongToWait(e, retryAfter.get()), earlier);
                }
                Duration wait = backoff(attempt);
                if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) wait = retryAfter.get();
                FailedAttempt failed = new FailedAttempt(spec().id(), attempt, context.fallbackStep(), e.kind(),
                        Redactor.global().redact(e.getMessage()));
                failures.add(failed);
                earlier.add(e);
                if (listener != null) listener.onAttemptFailed(failed);
                sleeper.sleep(wait);
            }
        }
    }

    /**
     * The wait before attempt {@code failedAttempt + 1}: exponential, capped at the maximum, then
     * scaled by a random factor within {@code 1 ± jitter}.
     */
    Duration backoff(int failedAttempt) {
        return backoff(settings, failedAttempt, random);
    }

    /** As {@link #backoff(int)}, for {@code settings}: what a caller retrying outside this class waits. */
    public static Duration backoff(RetrySettings settings, int failedAttempt, RandomGenerator random) {
        double base = settings.initialBackoff().toMillis() * Math.pow(settings.multiplier(), failedAttempt - 1);
        double capped = Math.min(base, settings.maxBackoff().toMillis());
        double factor = 1 + settings.jitter() * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(capped * factor));
    }

    private static ModelException gaveUp(ModelException last, int attempts) {
        if (attempts == 1) return last;
        return new ModelException(last.kind(), last.getMessage() + " (gave up after " + attempts + " attempts)",
                last.retryable(), last.retryAfter().orElse(null), last.httpStatus(), last.partialText(), last);
    }

    /** Not retryable any more: the server wants a longer pause than we are willing to spend on this model. */
    private ModelException tooLongToWait(ModelException e, Duration retryAfter) {
        String message = e.getMessage() + " (the server asks to retry after " + seconds(retryAfter)
                + ", more than the " + seconds(settings.maxRetryAfter()) + " we wait; failing over now)";
        return new ModelException(e.kind(), message, false, retryAfter, e.httpStatus(), e.partialText(), e);
    }

    private static ModelException withEarlier(ModelException last, List<ModelException> earlier) {
        for (ModelException e : earlier) last.addSuppressed(e);
        return last;
    }

    private static List<FailedAttempt> concat(List<FailedAttempt> a, List<FailedAttempt> b) {
        List<FailedAttempt> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
