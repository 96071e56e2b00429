package dev.ensemble.gateway;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.gateway.wire.GatewayRequest;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.RetryingChatModel;
import dev.ensemble.llm.Sleeper;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The byte-for-byte path's retries, by the policy the model stack's {@link RetryingChatModel}
 * applies on the translated path ({@code retry:}: attempts, backoff, Retry-After up to its most):
 * a model that failed in a way worth retrying is tried again before the chain moves on to its
 * next model, and only while nothing has reached the client. Each try is its own ledger row.
 */
final class ForwardRetries {
    private final Upstream upstream;
    private final RetrySettings settings;
    private final Sleeper sleeper;
    private final RandomGenerator random = RandomGenerator.getDefault();

    ForwardRetries(Upstream upstream, RetrySettings settings, Sleeper sleeper) {
        this.upstream = upstream;
        this.settings = settings;
        this.sleeper = sleeper;
    }

    /**
     * {@link Upstream#forward}, tried again as the stack would. {@code keepAttempt}: the rows keep
     * {@code context}'s attempt (an agent attempt's, which counts the task's tries, not these).
     */
    void forward(ModelSpec spec, GatewayRequest request, Context ctx, ClientResponse out, CallContext context,
                 boolean keepAttempt, Consumer<CallRecord> settle) {
        for (int attempt = 1; ; attempt++) {
            try {
                upstream.forward(spec, request, ctx, out, keepAttempt ? context : context.withAttempt(attempt), settle);
                return;
            } catch (ModelException e) {
                if (out.committed() || !e.retryable() || attempt >= settings.maxAttempts()) throw e;
                Optional<Duration> retryAfter = e.retryAfter();
                // A longer pause than the policy waits for: fail over now, as the stack does.
                if (retryAfter.isPresent() && retryAfter.get().compareTo(settings.maxRetryAfter()) > 0) throw e;
                Duration wait = RetryingChatModel.backoff(settings, attempt, random);
                if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) wait = retryAfter.get();
                sleeper.sleep(wait);
            }
        }
    }
}
