package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.FakeModel;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.llm.http.HttpErrors;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A planted key must reach the provider and nothing else: no error, no ledger row. */
class RedactionTest {
    private static final String PLANTED = "sk-planted-secret-5f3a9c";

    @Test
    void aPlantedKeyIsSentButNeverShown() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.fault(new Fault.HttpError(401)).forModel("^first-wire$"));
            server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^second-wire$"));
            Catalog catalog = Fixtures.catalog(List.of(openAiChat("keyed", server.baseUrl(), "env:PLANTED_TEST_KEY")),
                    List.of(Fixtures.model("first", "keyed"), Fixtures.model("second", "keyed")),
                    Map.of("both", List.of("first", "second")));
            CollectingObserver observer = new CollectingObserver();
            ChatModels models = Fixtures.factory(catalog, Fixtures.retry(2), new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                    Map.of("PLANTED_TEST_KEY", PLANTED), observer, new RecordingSleeper());

            ModelException e = catchThrowableOfType(ModelException.class, () -> models.model("both").chat(ChatRequest.of(
                    ChatMessage.user("hi"))));

            assertThat(server.requests()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + PLANTED));
            assertThat(e.getMessage()).doesNotContain(PLANTED);
            assertThat(observer.records).hasSize(3).allSatisfy(r -> assertThat(r.error()).isNotEmpty().doesNotContain(PLANTED));
        }
    }

    @Test
    void anErrorBodyEchoingTheKeyIsMaskedEverywhere() {
        Redactor.global().register(PLANTED);
        ModelException echoed = HttpErrors.fromStatus("keyed/first", 401, "{\"error\":\"invalid key " + PLANTED + "\"}", Optional.empty());
        assertThat(echoed.getMessage()).doesNotContain(PLANTED).contains(Redactor.MASK);

        // A provider that forgot to redact: the layers around it still keep the key out.
        ModelException careless = new ModelException(Kind.SERVER_ERROR, "upstream said: bad key " + PLANTED);
        CollectingObserver observer = new CollectingObserver();
        ChatModel recorded = new RecordingChatModel(new FakeModel("first", careless), observer, "keyed");
        ChatModel chain = new FallbackChatModel(List.of(recorded, new FakeModel("second", careless)));

        ModelException e = catchThrowableOfType(ModelException.class, () -> chain.chat(ChatRequest.of(ChatMessage.user("hi"))));

        assertThat(e.getMessage()).doesNotContain(PLANTED).contains(Redactor.MASK);
        assertThat(observer.records).singleElement().satisfies(r -> assertThat(r.error()).doesNotContain(PLANTED).contains(Redactor.MASK));
    }

    @Test
    void theReasonForAFailedAttemptIsMasked() {
        Redactor.global().register(PLANTED);
        ModelException careless = new ModelException(Kind.SERVER_ERROR, "bad key " + PLANTED);
        ChatResponse response = new FallbackChatModel(List.of(new FakeModel("first", careless), new FakeModel("second", "ok")))
                .chat(ChatRequest.of(ChatMessage.user("hi")));
        assertThat(response.failures()).singleElement().satisfies(f -> assertThat(f.reason()).doesNotContain(PLANTED));
        assertThat(response.failures().toString()).doesNotContain(PLANTED);
    }
}
