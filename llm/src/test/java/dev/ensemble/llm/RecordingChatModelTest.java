package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallRecord.Outcome;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.Collector;
import dev.ensemble.llm.Fixtures.FakeModel;
import dev.ensemble.llm.ModelException.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingChatModelTest {
    private final CollectingObserver observer = new CollectingObserver();

    private static ChatRequest request() {
        return ChatRequest.of(ChatMessage.user("write a haiku")).withContext(
                CallContext.of("ask").withRun("run-1", "task-1").withRole("implementer").withAttempt(2).withFallbackStep(1));
    }

    @Test
    void aSuccessIsRecordedWithItsContextUsageAndCost() {
        FakeModel fake = new FakeModel("m", "a haiku");
        ChatResponse response = new RecordingChatModel(fake, observer, "prov").chat(request());

        assertThat(observer.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.OK);
            assertThat(r.provider()).isEqualTo("prov");
            assertThat(r.modelId()).isEqualTo("m");
            assertThat(r.context()).isEqualTo(request().context());
            assertThat(r.usage()).isEqualTo(new Usage(10, 5, 0));
            // 10 input at $1/Mtok + 5 output at $2/Mtok
            assertThat(r.costUsd()).isEqualTo(20 / 1_000_000.0);
            assertThat(r.streamed()).isFalse();
            assertThat(r.timeToFirstToken()).isEqualTo(response.timeToFirstToken());
            assertThat(r.errorKind()).isEmpty();
            assertThat(r.error()).isEmpty();
        });
    }

    @Test
    void aRefusedRequestIsAnErrorWithEstimatedInputAndNoCost() {
        FakeModel fake = new FakeModel("m", new ModelException(Kind.RATE_LIMITED, "slow down"));
        catchThrowableOfType(ModelException.class, () -> new RecordingChatModel(fake, observer, "prov").chat(request()));

        assertThat(observer.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(r.errorKind()).isEqualTo("RATE_LIMITED");
            assertThat(r.error()).isEqualTo("slow down");
            assertThat(r.usage().inputTokens()).isEqualTo(TokenEstimator.estimate(request()));
            assertThat(r.usage().outputTokens()).isZero();
            assertThat(r.costUsd()).isZero();
            assertThat(r.timeToFirstToken()).isEqualTo(Duration.ZERO);
        });
    }

    @Test
    void aBrokenStreamIsAnErrorCostedForTheTextThatArrived() {
        ChatModel breaking = new ChatModel() {
            @Override public ModelSpec spec() { return Fixtures.model("m", "prov"); }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                listener.onText("five little ");
                listener.onText("words were sent");
                throw new ModelException(Kind.STREAM_CUT, "stream broke off");
            }
        };
        Collector collector = new Collector();
        catchThrowableOfType(ModelException.class, () -> new RecordingChatModel(breaking, observer, "prov").chat(request(), collector));

        assertThat(collector.text()).isEqualTo("five little words were sent");
        assertThat(observer.records).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(r.streamed()).isTrue();
            assertThat(r.usage().outputTokens()).isEqualTo(TokenEstimator.count("five little words were sent"));
            assertThat(r.costUsd()).isPositive();
            assertThat(r.timeToFirstToken()).isLessThanOrEqualTo(r.latency());
        });
    }

    @Test
    void anObserverThatThrowsDoesNotChangeTheOutcome() {
        CallObserver broken = record -> { throw new IllegalStateException("disk full"); };
        ChatResponse response = new RecordingChatModel(new FakeModel("m", "fine"), broken, "prov").chat(request());
        assertThat(response.text()).isEqualTo("fine");
    }

    @Test
    void anAnswerWithoutReportedUsageIsEstimated() {
        ChatModel silent = new ChatModel() {
            @Override public ModelSpec spec() { return Fixtures.model("m", "prov"); }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                return new ChatResponse("hello world", List.of(), FinishReason.STOP, Usage.ZERO, "m", null, null, List.of());
            }
        };
        new RecordingChatModel(silent, observer, "prov").chat(request());
        assertThat(observer.records.getFirst().usage().outputTokens()).isEqualTo(2);
    }
}
