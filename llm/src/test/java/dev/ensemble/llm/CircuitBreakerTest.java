package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.llm.CircuitBreaker.State;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.FakeClock;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private final FakeClock clock = new FakeClock();
    private final BreakerSettings settings = new BreakerSettings(3, Duration.ofSeconds(30));

    private static ChatRequest hello() {
        return ChatRequest.of(ChatMessage.user("hello"));
    }

    private ChatModels factory(ScriptedModelServer server, CircuitBreakerRegistry breakers, int attempts) {
        Catalog catalog = Fixtures.catalog(List.of(openAiChat("local", server.baseUrl(), null)),
                List.of(Fixtures.model("m", "local")), Map.of());
        return Fixtures.factory(catalog, Fixtures.retry(attempts), breakers, Map.of(), new CollectingObserver(), new RecordingSleeper());
    }

    @Test
    void opensAfterTheThresholdFailsFastAndHalfOpensWhenTheTimeIsUp() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(500)));
            CircuitBreakerRegistry breakers = new CircuitBreakerRegistry(settings, clock);
            ChatModel model = factory(server, breakers, 1).model("m");

            for (int i = 0; i < 3; i++) {
                assertThat(catchThrowableOfType(ModelException.class, () -> model.chat(hello())).kind()).isEqualTo(Kind.SERVER_ERROR);
            }
            ModelException open = catchThrowableOfType(ModelException.class, () -> model.chat(hello()));
            assertThat(open.kind()).isEqualTo(Kind.CIRCUIT_OPEN);
            assertThat(open.retryable()).isFalse();
            assertThat(open.getMessage()).contains("3 failures in a row").contains("server error")
                    .contains("will try again at 2026-11-21T10:00:30Z").contains("in 30 s");
            assertThat(server.requests()).hasSize(3);
            assertThat(breakers.states()).containsEntry("m", State.OPEN);

            clock.advance(Duration.ofSeconds(29));
            assertThat(catchThrowableOfType(ModelException.class, () -> model.chat(hello())).kind()).isEqualTo(Kind.CIRCUIT_OPEN);
            assertThat(server.requests()).hasSize(3);

            clock.advance(Duration.ofSeconds(1));
            assertThat(breakers.states()).containsEntry("m", State.HALF_OPEN);
            server.clearRules();
            server.rule(Rule.text("back"));
            assertThat(model.chat(hello()).text()).isEqualTo("back");
            assertThat(breakers.states()).containsEntry("m", State.CLOSED);
            assertThat(server.requests()).hasSize(4);
        }
    }

    @Test
    void anOpenCircuitStopsTheRetriesOfTheSameCall() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(500)));
            CircuitBreakerRegistry breakers = new CircuitBreakerRegistry(new BreakerSettings(1, Duration.ofMinutes(1)), clock);
            ModelException e = catchThrowableOfType(ModelException.class, () -> factory(server, breakers, 3).model("m").chat(hello()));
            assertThat(e.kind()).isEqualTo(Kind.CIRCUIT_OPEN);
            assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(ModelException.class,
                    first -> assertThat(first.kind()).isEqualTo(Kind.SERVER_ERROR));
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void aFailedTrialReopensForAnotherPeriod() {
        CircuitBreaker breaker = new CircuitBreaker("m", settings, clock);
        for (int i = 0; i < 3; i++) {
            breaker.acquire();
            breaker.onFailure(new ModelException(Kind.TIMEOUT, "slow"));
        }
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        clock.advance(Duration.ofSeconds(30));
        breaker.acquire();
        // Only one trial at a time: a second caller still fails fast.
        assertThat(catchThrowableOfType(ModelException.class, breaker::acquire).kind()).isEqualTo(Kind.CIRCUIT_OPEN);
        breaker.onFailure(new ModelException(Kind.CONNECTION, "refused"));
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        clock.advance(Duration.ofSeconds(29));
        assertThat(catchThrowableOfType(ModelException.class, breaker::acquire).getMessage()).contains("connection failed");
        clock.advance(Duration.ofSeconds(1));
        assertThatCode(breaker::acquire).doesNotThrowAnyException();
    }

    @Test
    void errorsAboutTheRequestDoNotCountAsTheModelBeingDown() {
        CircuitBreaker breaker = new CircuitBreaker("m", settings, clock);
        for (Kind kind : List.of(Kind.AUTH, Kind.BAD_REQUEST, Kind.CONTEXT_TOO_LONG, Kind.NOT_FOUND, Kind.AUTH, Kind.BAD_REQUEST)) {
            breaker.acquire();
            breaker.onFailure(new ModelException(kind, "no"));
        }
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        // Two counted failures, a neutral one, then a third counted one: consecutive means counted ones.
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        breaker.onFailure(new ModelException(Kind.BAD_REQUEST, "x"));
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        breaker.onFailure(new ModelException(Kind.RATE_LIMITED, "x"));
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void aSuccessResetsTheCount() {
        CircuitBreaker breaker = new CircuitBreaker("m", settings, clock);
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        breaker.onSuccess();
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        breaker.onFailure(new ModelException(Kind.SERVER_ERROR, "x"));
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void theRegistryGivesOneBreakerPerModel() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry(settings, clock);
        assertThat(registry.forModel("a")).isSameAs(registry.forModel("a")).isNotSameAs(registry.forModel("b"));
    }
}
