package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.llm.CallRecord.Outcome;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.Collector;
import dev.ensemble.llm.Fixtures.FakeModel;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FallbackChatModelTest {
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

    /** Two models of one scripted provider behind the alias "pair"; a third one needs a key nobody set. */
    private ChatModels factory() {
        Catalog catalog = Fixtures.catalog(
                List.of(openAiChat("local", server.baseUrl(), null), openAiChat("keyed", server.baseUrl(), "env:UNSET_TEST_KEY")),
                List.of(Fixtures.model("first", "local"), Fixtures.model("second", "local"), Fixtures.model("locked", "keyed")),
                Map.of("pair", List.of("first", "second"), "locked-first", List.of("locked", "second")));
        return Fixtures.factory(catalog, Fixtures.retry(2), new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(),
                observer, sleeper);
    }

    private static ChatRequest hello() {
        return ChatRequest.of(ChatMessage.user("hello"));
    }

    @Test
    void aServerErrorOnTheFirstModelFallsBackToTheNext() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^first-wire$"));
        server.rule(Rule.text("from second").forModel("^second-wire$"));

        ChatResponse response = factory().model("pair").chat(hello());

        assertThat(response.text()).isEqualTo("from second");
        assertThat(response.modelId()).isEqualTo("second");
        assertThat(observer.records)
                .extracting(CallRecord::modelId, r -> r.context().fallbackStep(), r -> r.context().attempt(), CallRecord::outcome)
                .containsExactly(tuple("first", 0, 1, Outcome.ERROR), tuple("first", 0, 2, Outcome.ERROR),
                        tuple("second", 1, 1, Outcome.OK));
        assertThat(response.failures()).hasSize(2).allSatisfy(f -> {
            assertThat(f.modelId()).isEqualTo("first");
            assertThat(f.fallbackStep()).isZero();
            assertThat(f.kind()).isEqualTo(Kind.SERVER_ERROR);
            assertThat(f.reason()).contains("HTTP 500");
        });
        assertThat(response.failures()).extracting(FailedAttempt::attempt).containsExactly(1, 2);
        assertThat(server.requests()).extracting(r -> r.model()).containsExactly("first-wire", "first-wire", "second-wire");
    }

    @Test
    void whenEveryModelFailsTheErrorNamesEachAndWhy() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^first-wire$"));
        server.rule(Rule.fault(new Fault.HttpError(401)).forModel("^second-wire$"));

        ModelException e = catchThrowableOfType(ModelException.class, () -> factory().model("pair").chat(hello()));

        assertThat(e.kind()).isEqualTo(Kind.AUTH);
        assertThat(e.getMessage()).contains("all 2 models").contains("first: server error").contains("(2 attempts)")
                .contains("second: authentication failed");
    }

    @Test
    void aModelWithoutItsKeyIsSkippedQuietlyNotCountedAsAFailure() {
        server.rule(Rule.text("from second"));
        Collector collector = new Collector();

        ChatResponse response = factory().model("locked-first").chat(hello(), collector);

        assertThat(response.text()).isEqualTo("from second");
        // Not an attempt: no failure, no line for the listener, no ledger row; listed as skipped.
        assertThat(response.failures()).isEmpty();
        assertThat(collector.failures).isEmpty();
        assertThat(response.skipped()).singleElement().satisfies(u -> {
            assertThat(u.modelId()).isEqualTo("locked");
            assertThat(u.reason()).isEqualTo(UnusableModel.Reason.NO_KEY);
            assertThat(u.detail()).isEqualTo("UNSET_TEST_KEY");
        });
        assertThat(observer.records).extracting(CallRecord::modelId).containsExactly("second");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void theListenerIsToldBetweenStepsButNotAfterTheLast() {
        FakeModel a = new FakeModel("a", new ModelException(Kind.BAD_REQUEST, "a refused"));
        FakeModel b = new FakeModel("b", new ModelException(Kind.SERVER_ERROR, "b down"));
        Collector collector = new Collector();

        catchThrowableOfType(ModelException.class, () -> new FallbackChatModel(List.of(a, b)).chat(hello(), collector));

        assertThat(collector.failures).extracting(FailedAttempt::modelId, FailedAttempt::kind).containsExactly(tuple("a", Kind.BAD_REQUEST));
        assertThat(b.requests).extracting(r -> r.context().fallbackStep()).containsExactly(1);
    }

    @Test
    void budgetAndInterruptStopTheChain() {
        for (Kind stop : List.of(Kind.BUDGET, Kind.INTERRUPTED)) {
            FakeModel a = new FakeModel("a", new ModelException(stop, "stop here"));
            FakeModel b = new FakeModel("b", "never");
            ModelException e = catchThrowableOfType(ModelException.class,
                    () -> new FallbackChatModel(List.of(a, b)).chat(hello()));
            assertThat(e.kind()).isEqualTo(stop);
            assertThat(b.requests).isEmpty();
        }
    }

    @Test
    void theSpecIsTheFirstModels() {
        FallbackChatModel chain = new FallbackChatModel(List.of(new FakeModel("a", "x"), new FakeModel("b", "y")));
        assertThat(chain.spec().id()).isEqualTo("a");
        assertThat(chain.chat(hello()).failures()).isEmpty();
    }
}
