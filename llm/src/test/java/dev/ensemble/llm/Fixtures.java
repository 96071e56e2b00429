package dev.ensemble.llm;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/** Small catalogs, clocks, sleepers and observers for the tests of the layers around providers. */
final class Fixtures {
    static final Timeouts FAST_TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(10));

    private Fixtures() {}

    static ModelSpec model(String id, String provider) {
        return new ModelSpec(id, provider, id + "-wire", "test",
                new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, false, true, Map.of());
    }

    static ProviderSpec openAiChat(String name, String serverBaseUrl, String keyRef) {
        return new ProviderSpec(name, WireProtocol.OPENAI_CHAT, serverBaseUrl + "/v1",
                Optional.ofNullable(keyRef).map(SecretRef::parse), false);
    }

    static Catalog catalog(List<ProviderSpec> providers, List<ModelSpec> models, Map<String, List<String>> aliases) {
        Map<String, ProviderSpec> p = new java.util.LinkedHashMap<>();
        providers.forEach(spec -> p.put(spec.name(), spec));
        Map<String, ModelSpec> m = new java.util.LinkedHashMap<>();
        models.forEach(spec -> m.put(spec.id(), spec));
        return new Catalog(p, m, aliases);
    }

    /** No jitter, 100 ms doubling to at most 1 s, Retry-After honoured up to 10 s. */
    static RetrySettings retry(int attempts) {
        return new RetrySettings(attempts, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0, Duration.ofSeconds(10));
    }

    /** A RandomGenerator whose nextDouble is always the same value. */
    static RandomGenerator fixedRandom(double value) {
        return new RandomGenerator() {
            @Override public long nextLong() { return 0; }

            @Override public double nextDouble() { return value; }
        };
    }

    static final class RecordingSleeper implements Sleeper {
        final List<Duration> waits = new CopyOnWriteArrayList<>();

        @Override public void sleep(Duration duration) { waits.add(duration); }
    }

    static final class CollectingObserver implements CallObserver {
        final List<CallRecord> records = new CopyOnWriteArrayList<>();

        @Override public void onCall(CallRecord record) { records.add(record); }
    }

    static final class Collector implements StreamListener {
        final List<String> deltas = new ArrayList<>();
        final List<FailedAttempt> failures = new ArrayList<>();

        @Override public void onText(String delta) { deltas.add(delta); }

        @Override public void onAttemptFailed(FailedAttempt failure) { failures.add(failure); }

        String text() { return String.join("", deltas); }
    }

    static final class FakeClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-21T10:00:00Z");

        void advance(Duration d) { now = now.plus(d); }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }

    /** A model without a server: answers or fails from a script, the last entry repeating; counts its calls. */
    static final class FakeModel implements ChatModel {
        private final ModelSpec spec;
        private final List<Object> script;
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

        FakeModel(String id, Object... outcomes) {
            this.spec = model(id, "fake");
            this.script = List.of(outcomes);
        }

        @Override public ModelSpec spec() { return spec; }

        @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
            requests.add(request);
            Object next = script.get(Math.min(requests.size(), script.size()) - 1);
            if (next instanceof ModelException e) throw new ModelException(e.kind(), e.getMessage(), e.retryable(),
                    e.retryAfter().orElse(null), e.httpStatus(), e.partialText(), null);
            return new ChatResponse((String) next, List.of(), FinishReason.STOP, new dev.ensemble.core.Usage(10, 5, 0),
                    spec.id(), Duration.ofMillis(5), null, List.of());
        }
    }

    static ChatModels factory(Catalog catalog, RetrySettings retry, CircuitBreakerRegistry breakers,
                              Map<String, String> env, CallObserver observer, Sleeper sleeper) {
        SecretResolver secrets = new SecretResolver(env, (command, timeout) -> {
            throw new java.io.IOException("no helper programs in tests");
        });
        return new ChatModels(catalog, FAST_TIMEOUTS, retry, breakers, secrets, observer, sleeper, fixedRandom(0.5));
    }
}
