package dev.ensemble.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.Timeouts;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every provider must do, checked against the scripted server speaking its protocol. A
 * provider's test only says how to build the model and which protocol it speaks.
 */
abstract class ChatModelContract {
    protected ScriptedModelServer server;

    /** The provider under test, pointed at {@code server}, with the given timeouts. */
    protected abstract ChatModel model(ScriptedModelServer server, Timeouts timeouts);

    /** The protocol key the scripted server should see. */
    protected abstract String protocol();

    @BeforeEach
    void startServer() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private ChatModel model() {
        return model(server, TestSpecs.FAST_TIMEOUTS);
    }

    static ToolSpec writeFileTool() {
        var schema = HttpTransport.JSON.readTree("""
                {"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},
                 "required":["path","content"]}""");
        return new ToolSpec("write_file", "Write a file", schema);
    }

    static final class Collector implements StreamListener {
        final List<String> deltas = new ArrayList<>();
        final List<ToolCall> calls = new ArrayList<>();

        @Override public void onText(String delta) { deltas.add(delta); }

        @Override public void onToolCall(ToolCall call) { calls.add(call); }
    }

    @Test
    void plainTextAnswerWithUsage() {
        server.rule(Rule.text("The answer is 42.").whenPrompt("meaning"));
        ChatResponse response = model().chat(ChatRequest.of(ChatMessage.system("Be brief."), ChatMessage.user("meaning of life?")));
        assertThat(response.text()).isEqualTo("The answer is 42.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage().inputTokens()).isPositive();
        assertThat(response.usage().outputTokens()).isPositive();
        assertThat(response.toolCalls()).isEmpty();
        RecordedRequest seen = server.requests().getLast();
        assertThat(seen.protocol()).isEqualTo(protocol());
        assertThat(seen.parsed().stream()).isFalse();
        assertThat(seen.model()).contains("-wire");
        assertThat(seen.body()).contains("Be brief.");
    }

    @Test
    void streamedTextArrivesInPieces() {
        server.rule(Rule.text("one two three four five"));
        Collector collector = new Collector();
        ChatResponse response = model().chat(ChatRequest.of(ChatMessage.user("count")), collector);
        assertThat(response.text()).isEqualTo("one two three four five");
        assertThat(String.join("", collector.deltas)).isEqualTo("one two three four five");
        assertThat(collector.deltas).hasSizeGreaterThan(1);
        assertThat(response.usage().outputTokens()).isPositive();
        assertThat(response.timeToFirstToken()).isLessThanOrEqualTo(response.latency());
        assertThat(server.requests().getLast().parsed().stream()).isTrue();
    }

    @Test
    void cachedInputTokensAreReported() {
        server.cachedTokens(3);
        server.rule(Rule.text("ok"));
        ChatResponse response = model().chat(ChatRequest.of(ChatMessage.user("a prompt long enough to have some tokens")));
        assertThat(response.usage().cachedInputTokens()).isEqualTo(3);
    }

    @Test
    void toolCallRoundTripPlain() {
        toolCallRoundTrip(null);
    }

    @Test
    void toolCallRoundTripStreamed() {
        toolCallRoundTrip(new Collector());
    }

    private void toolCallRoundTrip(Collector collector) {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"a.txt\",\"content\":\"hi\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.text("Wrote a.txt.").whenToolResult(true));
        ChatModel model = model();
        ChatRequest first = ChatRequest.of(ChatMessage.user("write hi to a.txt")).withTools(List.of(writeFileTool()));
        ChatResponse call = model.chat(first, collector);
        assertThat(call.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(call.toolCalls()).singleElement().satisfies(tc -> {
            assertThat(tc.name()).isEqualTo("write_file");
            assertThat(HttpTransport.JSON.readTree(tc.argumentsJson()).path("path").asString()).isEqualTo("a.txt");
            assertThat(tc.id()).isNotBlank();
        });
        if (collector != null) assertThat(collector.calls).containsExactlyElementsOf(call.toolCalls());
        assertThat(server.requests().getLast().parsed().toolNames()).containsExactly("write_file");

        ToolCall tc = call.toolCalls().getFirst();
        List<ChatMessage> history = new ArrayList<>(first.messages());
        history.add(call.asMessage());
        history.add(new ChatMessage.ToolResult(tc.id(), tc.name(), "ok: 2 bytes written", false));
        ChatResponse done = model.chat(first.withMessages(history), collector);
        assertThat(done.text()).isEqualTo("Wrote a.txt.");
        assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
        RecordedRequest second = server.requests().getLast();
        assertThat(second.parsed().hasToolResult()).isTrue();
        assertThat(second.body()).contains("ok: 2 bytes written");
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        server.rule(Rule.fault(new Fault.RateLimited(7)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model().chat(ChatRequest.of(ChatMessage.user("hi"))));
        assertThat(e.kind()).isEqualTo(ModelException.Kind.RATE_LIMITED);
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.httpStatus()).isEqualTo(429);
    }

    @Test
    void serverErrorIsRetryableAndStreamedToo() {
        server.rule(Rule.fault(new Fault.HttpError(500)));
        ModelException plain = catchThrowableOfType(ModelException.class, () -> model().chat(ChatRequest.of(ChatMessage.user("hi"))));
        assertThat(plain.kind()).isEqualTo(ModelException.Kind.SERVER_ERROR);
        assertThat(plain.retryable()).isTrue();
        ModelException streamed = catchThrowableOfType(ModelException.class,
                () -> model().chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
        assertThat(streamed.kind()).isEqualTo(ModelException.Kind.SERVER_ERROR);
    }

    @Test
    void authErrorIsNotRetryable() {
        server.rule(Rule.fault(new Fault.HttpError(401)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model().chat(ChatRequest.of(ChatMessage.user("hi"))));
        assertThat(e.kind()).isEqualTo(ModelException.Kind.AUTH);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void connectionResetIsAConnectionError() {
        server.rule(Rule.fault(new Fault.Reset()));
        ModelException e = catchThrowableOfType(ModelException.class, () -> model().chat(ChatRequest.of(ChatMessage.user("hi"))));
        assertThat(e.kind()).isIn(ModelException.Kind.CONNECTION, ModelException.Kind.STREAM_CUT);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void streamCutMidwayIsAnErrorWithThePartialText() {
        server.rule(Rule.text("alpha beta gamma delta epsilon zeta eta theta").withFault(new Fault.Cut(3)));
        Collector collector = new Collector();
        ModelException e = catchThrowableOfType(ModelException.class,
                () -> model().chat(ChatRequest.of(ChatMessage.user("letters")), collector));
        assertThat(e.kind()).isEqualTo(ModelException.Kind.STREAM_CUT);
        assertThat(e.retryable()).isTrue();
        assertThat(e.partialText()).isEqualTo(String.join("", collector.deltas));
        assertThat(e.partialText()).isNotEqualTo("alpha beta gamma delta epsilon zeta eta theta");
    }

    @Test
    void malformedJsonIsAMalformedResponse() {
        server.rule(Rule.text("fine words here").withFault(new Fault.Malformed()));
        ModelException plain = catchThrowableOfType(ModelException.class, () -> model().chat(ChatRequest.of(ChatMessage.user("hi"))));
        assertThat(plain.kind()).isEqualTo(ModelException.Kind.MALFORMED_RESPONSE);
        ModelException streamed = catchThrowableOfType(ModelException.class,
                () -> model().chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()));
        assertThat(streamed.kind()).isEqualTo(ModelException.Kind.MALFORMED_RESPONSE);
    }

    @Test
    void stallBeforeTheAnswerHitsTheFirstTokenTimeout() {
        server.rule(Rule.text("late").withFault(new Fault.Stall(Duration.ofSeconds(3))));
        assertThatThrownBy(() -> model().chat(ChatRequest.of(ChatMessage.user("hi")), new Collector()))
                .isInstanceOfSatisfying(ModelException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ModelException.Kind.TIMEOUT);
                    assertThat(e.getMessage()).contains("first-token");
                });
    }

    @Test
    void silenceMidStreamHitsTheIdleTimeout() {
        server.rule(Rule.text("a b c d e f g h").withFault(new Fault.StallMidStream(2, Duration.ofSeconds(3))));
        Collector collector = new Collector();
        assertThatThrownBy(() -> model().chat(ChatRequest.of(ChatMessage.user("hi")), collector))
                .isInstanceOfSatisfying(ModelException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ModelException.Kind.TIMEOUT);
                    assertThat(e.getMessage()).contains("idle");
                });
    }

    @Test
    void totalTimeoutBoundsAPlainCall() {
        server.rule(Rule.text("late").withFault(new Fault.Stall(Duration.ofSeconds(3))));
        Timeouts tight = new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(700));
        assertThatThrownBy(() -> model(server, tight).chat(ChatRequest.of(ChatMessage.user("hi"))))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TIMEOUT));
    }
}
