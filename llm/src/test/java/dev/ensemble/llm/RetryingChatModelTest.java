package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.llm.CallRecord.Outcome;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.Collector;
import dev.ensemble.llm.Fixtures.FakeModel;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryingChatModelTest {
    private static final String LONG_TEXT = "alpha beta gamma delta epsilon zeta eta theta iota kappa";

    private ScriptedModelServer server;
    private final CollectingObserver observer = new CollectingObserver();
    private final RecordingSleeper sleeper = new RecordingSleeper();

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ChatModel model(RetrySettings retry) {
        Catalog catalog = Fixtures.catalog(List.of(openAiChat("deepseek", server.baseUrl(), null)),
                List.of(Fixtures.model("chat-model", "deepseek")), Map.of());
        return Fixtures.factory(catalog, retry, new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(), observer, sleeper)
                .model("chat-model");
    }

    private static ChatRequest hello() {
        return ChatRequest.of(ChatMessage.user("hello"));
    }

    @Test
    void retryAfterIsHonouredAndEachAttemptIsRecorded() {
        server.rule(Rule.fault(new Fault.RateLimited(2)).times(1));
        server.rule(Rule.text("hi there"));

        ChatResponse response = model(Fixtures.retry(3)).chat(hello());

        assertThat(response.text()).isEqualTo("hi there");
        assertThat(sleeper.waits).singleElement().satisfies(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(server.requests()).hasSize(2);
        assertThat(observer.records).extracting(r -> r.context().attempt(), CallRecord::outcome, CallRecord::errorKind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Outcome.ERROR, "RATE_LIMITED"),
                        org.assertj.core.groups.Tuple.tuple(2, Outcome.OK, ""));
        assertThat(response.failures()).singleElement().satisfies(f -> {
            assertThat(f.attempt()).isEqualTo(1);
            assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
            assertThat(f.modelId()).isEqualTo("chat-model");
        });
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCap() {
        // 100 ms doubling, capped at 300 ms; the random factor is exactly 1 - jitter, then 1 + jitter.
        RetrySettings settings = new RetrySettings(5, Duration.ofMillis(100), Duration.ofMillis(300), 2.0, 0.2, Duration.ofSeconds(10));
        ModelException down = new ModelException(Kind.SERVER_ERROR, "down");
        RecordingSleeper low = new RecordingSleeper();
        var lowModel = new RetryingChatModel(new FakeModel("m", down, down, down, down, "ok"), settings, low, Fixtures.fixedRandom(0.0));
        assertThat(lowModel.chat(hello()).text()).isEqualTo("ok");
        assertThat(low.waits).containsExactly(Duration.ofMillis(80), Duration.ofMillis(160), Duration.ofMillis(240), Duration.ofMillis(240));

        RecordingSleeper high = new RecordingSleeper();
        new RetryingChatModel(new FakeModel("m", down, down, down, "ok"), settings, high, Fixtures.fixedRandom(1.0)).chat(hello());
        assertThat(high.waits).containsExactly(Duration.ofMillis(120), Duration.ofMillis(240), Duration.ofMillis(360));
    }

    @Test
    void jitteredBackoffAgainstTheServerStaysWithinItsBounds() {
        server.rule(Rule.fault(new Fault.HttpError(500)).times(3));
        server.rule(Rule.text("finally"));
        RetrySettings settings = new RetrySettings(4, Duration.ofMillis(100), Duration.ofSeconds(5), 3.0, 0.25, Duration.ofSeconds(10));
        Catalog catalog = Fixtures.catalog(List.of(openAiChat("deepseek", server.baseUrl(), null)),
                List.of(Fixtures.model("chat-model", "deepseek")), Map.of());
        SecretResolver secrets = new SecretResolver(Map.of(), (c, t) -> { throw new java.io.IOException("none"); });
        ChatModel model = new ChatModels(catalog, Fixtures.FAST_TIMEOUTS, settings, new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                secrets, observer, sleeper, new SplittableRandom(42)).model("chat-model");

        assertThat(model.chat(hello()).text()).isEqualTo("finally");

        assertThat(sleeper.waits).hasSize(3);
        long[] centres = {100, 300, 900};
        for (int i = 0; i < 3; i++) {
            assertThat(sleeper.waits.get(i).toMillis()).isBetween(Math.round(centres[i] * 0.75), Math.round(centres[i] * 1.25));
        }
        assertThat(server.requests()).hasSize(4);
    }

    @Test
    void anAuthErrorIsNotRetried() {
        server.rule(Rule.fault(new Fault.HttpError(401)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model(Fixtures.retry(3)).chat(hello()));
        assertThat(e.kind()).isEqualTo(Kind.AUTH);
        assertThat(server.requests()).hasSize(1);
        assertThat(sleeper.waits).isEmpty();
        assertThat(observer.records).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.ERROR));
    }

    @Test
    void aRetryAfterBeyondTheMaximumFailsAtOnce() {
        server.rule(Rule.fault(new Fault.RateLimited(30)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model(Fixtures.retry(3)).chat(hello()));
        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(e.getMessage()).contains("30 s").contains("failing over");
        assertThat(server.requests()).hasSize(1);
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void givingUpKeepsTheLastErrorAndTheEarlierOnes() {
        server.rule(Rule.fault(new Fault.HttpError(503)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model(Fixtures.retry(3)).chat(hello()));
        assertThat(e.kind()).isEqualTo(Kind.OVERLOADED);
        assertThat(e.getMessage()).contains("gave up after 3 attempts");
        assertThat(e.getSuppressed()).hasSize(2);
        assertThat(server.requests()).hasSize(3);
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aStreamCutEveryTimeFailsAfterTheRetriesAndIsNeverRecordedAsAnAnswer() {
        server.rule(Rule.text(LONG_TEXT).withFault(new Fault.Cut(3)));
        Collector collector = new Collector();

        ModelException e = catchThrowableOfType(ModelException.class,
                () -> model(Fixtures.retry(3)).chat(ChatRequest.of(ChatMessage.user("letters")), collector));

        assertThat(e.kind()).isEqualTo(Kind.STREAM_CUT);
        assertThat(server.requests()).hasSize(3);
        assertThat(collector.failures).hasSize(2).allSatisfy(f -> assertThat(f.kind()).isEqualTo(Kind.STREAM_CUT));
        assertThat(observer.records).hasSize(3).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(r.errorKind()).isEqualTo("STREAM_CUT");
            assertThat(r.streamed()).isTrue();
            // Usage of the broken attempt is estimated: the prompt, and the text that did arrive.
            assertThat(r.usage().inputTokens()).isPositive();
            assertThat(r.usage().outputTokens()).isPositive();
        });
        assertThat(observer.records).extracting(r -> r.context().attempt()).containsExactly(1, 2, 3);
    }

    @Test
    void aCutStreamFollowedByAGoodRetryAnswersWithTheFullTextOnly() {
        server.rule(Rule.text(LONG_TEXT).withFault(new Fault.Cut(3)).times(1));
        server.rule(Rule.text(LONG_TEXT));
        Collector collector = new Collector();

        ChatResponse response = model(Fixtures.retry(3)).chat(ChatRequest.of(ChatMessage.user("letters")), collector);

        assertThat(response.text()).isEqualTo(LONG_TEXT);
        assertThat(collector.failures).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo(Kind.STREAM_CUT));
        // The listener saw the broken start, then was told, then saw the whole answer.
        assertThat(collector.text()).endsWith(LONG_TEXT).isNotEqualTo(LONG_TEXT);
        assertThat(observer.records).extracting(CallRecord::outcome).containsExactly(Outcome.ERROR, Outcome.OK);
        assertThat(response.failures()).singleElement().satisfies(f -> assertThat(f.attempt()).isEqualTo(1));
    }

    @Test
    void eachAttemptCarriesItsNumberToTheModel() {
        ModelException down = new ModelException(Kind.CONNECTION, "refused");
        FakeModel fake = new FakeModel("m", down, down, "ok");
        new RetryingChatModel(fake, Fixtures.retry(3), sleeper, Fixtures.fixedRandom(0.5)).chat(hello());
        assertThat(fake.requests).extracting(r -> r.context().attempt()).containsExactly(1, 2, 3);
    }
}
