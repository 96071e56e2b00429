package dev.ensemble.gateway;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.gateway.wire.GatewayRequest;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreaker;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.llm.SecretException;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.UnusableModel;
import dev.ensemble.llm.http.HttpErrors;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The byte-for-byte path, taken when the client speaks the provider's own wire: the client's body
 * goes to the provider with only the model name and the credentials changed, and the provider's
 * bytes come straight back, event by event. It keeps to the same rules as the model stack: the
 * provider's {@code max_concurrency} permit is held for the whole exchange, the model's circuit
 * breaker is asked first and told the outcome, and the attempt is one ledger row.
 */
final class Upstream {
    /** Request headers a client's SDK sets that the provider must see (versions, betas). */
    private static final List<String> FORWARDED = List.of("anthropic-version", "anthropic-beta", "openai-beta");
    private static final String ANTHROPIC_VERSION = "2023-06-01";
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ChatModels models;
    private final SecretResolver secrets;
    private final Timeouts timeouts;
    private final HttpClient client;
    private final ScheduledExecutorService timer;
    private final CallObserver ledger;

    Upstream(ChatModels models, SecretResolver secrets, Timeouts timeouts, CallObserver ledger) {
        this.models = models;
        this.secrets = secrets;
        this.timeouts = timeouts;
        this.ledger = ledger;
        this.client = HttpTransport.newClient(timeouts.connect());
        ScheduledThreadPoolExecutor silenceTimer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("gateway-silence").daemon().factory());
        silenceTimer.setRemoveOnCancelPolicy(true);  // a stream that ends in time leaves nothing queued
        this.timer = silenceTimer;
    }

    void close() {
        client.shutdownNow();
        timer.shutdownNow();
    }

    /**
     * Sends {@code request} to {@code spec}'s provider and answers the client with what comes back.
     *
     * @throws ModelException for a failure; {@link ClientResponse#committed()} says whether any of
     *                        the answer had reached the client by then
     */
    void forward(ModelSpec spec, GatewayRequest request, Context ctx, ClientResponse out, CallContext context,
                 Consumer<CallRecord> settle) {
        ProviderSpec provider = models.catalog().providerOf(spec);
        Optional<String> key = key(spec, provider);
        CircuitBreaker breaker = models.breakers().forModel(spec.id());
        models.gates().withPermit(provider, () -> {
            breaker.acquire();
            Attempt attempt = new Attempt(spec, provider, request, context);
            try {
                exchange(attempt, key, ctx, out);
                breaker.onSuccess();
                finish(attempt, null, settle);
            } catch (ModelException e) {
                breaker.onFailure(e);
                finish(attempt, e, settle);
                throw e;
            } catch (ClientResponse.ClientGone e) {
                breaker.onNeutral();
                finish(attempt, new ModelException(Kind.INTERRUPTED, "the client went away mid-stream"), CallRecord.CLIENT_GONE, settle);
                throw e;
            }
            return null;
        });
    }

    private void exchange(Attempt attempt, Optional<String> key, Context ctx, ClientResponse out) {
        GatewayRequest request = attempt.request;
        WireProtocol wire = request.clientWire();
        byte[] body = wire == WireProtocol.GEMINI ? request.rawBody() : ModelRewrite.withModel(request.rawBody(), attempt.spec.wireName());
        HttpRequest.Builder builder = HttpRequest.newBuilder(url(attempt.provider, attempt.spec, wire, request.stream()))
                .header("Content-Type", "application/json")
                .header("Accept", request.stream() ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : FORWARDED) {
            String value = ctx.header(name);
            if (value != null && (wire == WireProtocol.ANTHROPIC || !name.startsWith("anthropic-"))) builder.header(name, value);
        }
        if (wire == WireProtocol.ANTHROPIC && ctx.header("anthropic-version") == null) builder.header("anthropic-version", ANTHROPIC_VERSION);
        key.ifPresent(k -> {
            switch (wire) {
                case ANTHROPIC -> builder.header("x-api-key", k);
                case GEMINI -> builder.header("x-goog-api-key", k);
                default -> builder.header("Authorization", "Bearer " + k);
            }
        });
        HttpResponse<InputStream> response = send(attempt, builder.build());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                throw HttpErrors.fromStatus(attempt.who(), response.statusCode(), text, response.headers().firstValue("retry-after"));
            }
            if (!request.stream()) {
                byte[] answer = in.readAllBytes();
                attempt.firstByte();
                attempt.sniffer.whole(answer);
                out.plain(attempt.spec.id(), response.headers().firstValue("content-type").orElse("application/json"), answer);
                return;
            }
            relay(attempt, in, out);
        } catch (IOException e) {
            throw new ModelException(Kind.STREAM_CUT, attempt.who() + ": stream broke off: " + describe(e), e);
        }
    }

    /** Copies the provider's stream to the client as it comes, each read flushed at once. */
    private void relay(Attempt attempt, InputStream in, ClientResponse out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        int n;
        try (Silence silence = new Silence(timer, timeouts.firstToken(), timeouts.idle())) {
            try {
                while ((n = in.read(buffer)) >= 0) {
                    silence.progress();
                    if (n == 0) continue;
                    attempt.firstByte();
                    out.startStream(attempt.spec.id());
                    attempt.sniffer.chunk(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                if (silence.fired()) {
                    throw new ModelException(Kind.TIMEOUT, attempt.who() + ": stream silent past the "
                            + (attempt.firstByteAt < 0 ? "first-token timeout" : "idle timeout"), e);
                }
                throw e;
            }
        }
        attempt.sniffer.end();
        out.endStream();
        if (!attempt.sniffer.finished()) {
            throw new ModelException(Kind.STREAM_CUT, attempt.who() + ": stream ended before its final event");
        }
    }

    /**
     * Interrupts the reading thread when the provider goes quiet for longer than the first-token
     * (then idle) timeout: a blocked read of the response stream ends with an IOException, and the
     * connection is closed with it. One check is scheduled at a time on the gateway's one timer
     * thread (a thread per stream cost a start, a sleep and a join on every request); progress only
     * moves a timestamp, and a check that finds progress schedules the next for when the quiet
     * would end.
     */
    private static final class Silence implements AutoCloseable {
        private final Thread reader = Thread.currentThread();
        private final ScheduledExecutorService timer;
        private final Duration firstToken;
        private final Duration idle;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean started;
        private boolean fired;      // guarded by this
        private boolean closed;     // guarded by this
        private ScheduledFuture<?> next;  // guarded by this

        Silence(ScheduledExecutorService timer, Duration firstToken, Duration idle) {
            this.timer = timer;
            this.firstToken = firstToken;
            this.idle = idle;
            schedule(firstToken.toNanos());
        }

        private synchronized void schedule(long nanos) {
            if (!closed) next = timer.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }

        private synchronized void check() {
            if (closed) return;
            long limit = (started ? idle : firstToken).toNanos();
            long quiet = System.nanoTime() - lastProgress;
            if (quiet >= limit) {
                fired = true;
                reader.interrupt();
                return;
            }
            next = timer.schedule(this::check, limit - quiet, TimeUnit.NANOSECONDS);
        }

        void progress() {
            lastProgress = System.nanoTime();
            started = true;
        }

        synchronized boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            boolean wasFired;
            synchronized (this) {
                closed = true;
                if (next != null) next.cancel(false);
                wasFired = fired;
            }
            // No interrupt can come after this point; the one meant for the blocked read is cleared,
            // and the client still gets its error event.
            if (wasFired) Thread.interrupted();
        }
    }

    /**
     * Sends and waits for the response's headers, at most the first-token timeout (or the total, if
     * shorter). A timed wait on the future rather than {@link HttpRequest.Builder#timeout}: the
     * client's own timeouts register and cancel a timer on its selector thread for every request,
     * which contended under load.
     */
    private HttpResponse<InputStream> send(Attempt attempt, HttpRequest request) {
        Duration limit = timeouts.firstToken().compareTo(timeouts.total()) < 0 ? timeouts.firstToken() : timeouts.total();
        CompletableFuture<HttpResponse<InputStream>> future = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ModelException(Kind.TIMEOUT, attempt.who() + ": no answer within the first-token timeout", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new ModelException(Kind.TIMEOUT, attempt.who() + ": no answer within the first-token timeout", cause);
            }
            if (cause instanceof ConnectException || cause != null && cause.getCause() instanceof ConnectException) {
                throw ModelException.noUsableModel(null, List.of(UnusableModel.notAnswering(attempt.spec, attempt.provider)), cause);
            }
            throw new ModelException(Kind.CONNECTION, attempt.who() + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ModelException(Kind.INTERRUPTED, attempt.who() + ": interrupted");
        }
    }

    private Optional<String> key(ModelSpec spec, ProviderSpec provider) {
        if (provider.apiKey().isEmpty()) return Optional.empty();
        try {
            return Optional.of(secrets.require(provider.apiKey().get()));
        } catch (SecretException e) {
            throw ModelException.noUsableModel(null, List.of(UnusableModel.noKey(spec, provider, provider.apiKey().get())), e);
        }
    }

    /** The provider's endpoint for this wire, as the llm providers build it. */
    static URI url(ProviderSpec provider, ModelSpec spec, WireProtocol wire, boolean stream) {
        String base = provider.baseUrl().replaceAll("/+$", "");
        String path = switch (wire) {
            case OPENAI_CHAT -> "/chat/completions";
            case OPENAI_RESPONSES -> "/responses";
            case ANTHROPIC -> base.endsWith("/v1") ? "/messages" : "/v1/messages";
            case GEMINI -> {
                String model = spec.wireName().startsWith("models/") ? spec.wireName().substring("models/".length()) : spec.wireName();
                boolean versioned = base.endsWith("/v1beta") || base.endsWith("/v1");
                yield (versioned ? "" : "/v1beta") + "/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
            }
            case OLLAMA -> throw new IllegalArgumentException("no client speaks the Ollama wire to the gateway");
        };
        return URI.create(base + path);
    }

    private void finish(Attempt attempt, ModelException failure, Consumer<CallRecord> settle) {
        finish(attempt, failure, failure == null ? "" : failure.kind().name(), settle);
    }

    /** The attempt's ledger row; {@code errorKind} is the failure's kind, or {@link CallRecord#CLIENT_GONE}. */
    private void finish(Attempt attempt, ModelException failure, String errorKind, Consumer<CallRecord> settle) {
        Usage usage = attempt.sniffer.usage();
        if (usage.totalTokens() == 0) usage = new Usage(TokenEstimator.estimate(attempt.request.chat()), 0, 0);
        boolean billed = failure == null || attempt.firstByteAt >= 0;
        Duration latency = Duration.ofNanos(System.nanoTime() - attempt.start);
        Duration firstByte = attempt.firstByteAt < 0 ? (failure == null ? latency : Duration.ZERO) : Duration.ofNanos(attempt.firstByteAt - attempt.start);
        CallRecord record = new CallRecord(attempt.startedAt, attempt.context, attempt.provider.name(), attempt.spec.id(),
                attempt.request.stream(), usage, billed ? attempt.spec.costUsd(usage) : 0, latency, firstByte,
                failure == null ? CallRecord.Outcome.OK : CallRecord.Outcome.ERROR, errorKind,
                failure == null ? "" : Redactor.global().redact(failure.getMessage()));
        if (failure != null && failure.kind() == Kind.NO_USABLE_MODEL) return;
        try {
            ledger.onCall(record);
        } catch (RuntimeException ignored) {
            // An observer must not throw; the attempt's outcome stands.
        }
        settle.accept(record);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return Redactor.global().redact(failure.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    /** One try at one model on this path. */
    private static final class Attempt {
        final ModelSpec spec;
        final ProviderSpec provider;
        final GatewayRequest request;
        final CallContext context;
        final Instant startedAt = Instant.now();
        final long start = System.nanoTime();
        final UsageSniffer sniffer;
        long firstByteAt = -1;

        Attempt(ModelSpec spec, ProviderSpec provider, GatewayRequest request, CallContext context) {
            this.spec = spec;
            this.provider = provider;
            this.request = request;
            this.context = context;
            this.sniffer = new UsageSniffer(request.clientWire());
        }

        void firstByte() {
            if (firstByteAt < 0) firstByteAt = System.nanoTime();
        }

        String who() {
            return provider.name() + "/" + spec.id();
        }
    }
}
