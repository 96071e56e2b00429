package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.CallRecord.Outcome;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.Collector;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatModelsTest {
    private final CollectingObserver observer = new CollectingObserver();
    private final RecordingSleeper sleeper = new RecordingSleeper();

    @Test
    void anAliasFallsBackAcrossTwoProvidersEndToEnd() {
        try (ScriptedModelServer alpha = ScriptedModelServer.start(); ScriptedModelServer beta = ScriptedModelServer.start()) {
            alpha.rule(Rule.fault(new Fault.HttpError(503)));
            beta.rule(Rule.text("beta answers in full"));
            Catalog catalog = Fixtures.catalog(
                    List.of(openAiChat("alpha", alpha.baseUrl(), "env:ALPHA_TEST_KEY"), openAiChat("beta", beta.baseUrl(), null)),
                    List.of(Fixtures.model("alpha-model", "alpha"), Fixtures.model("beta-model", "beta")),
                    Map.of("coder", List.of("alpha-model", "beta-model"), "smart", List.of("coder")));
            ChatModels models = Fixtures.factory(catalog, Fixtures.retry(2), new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                    Map.of("ALPHA_TEST_KEY", "sk-alpha-test-123456"), observer, sleeper);
            Collector collector = new Collector();

            ChatModel smart = models.model("smart");
            assertThat(smart).isInstanceOf(FallbackChatModel.class);
            assertThat(smart.spec().id()).isEqualTo("alpha-model");
            ChatResponse response = smart.chat(ChatRequest.of(ChatMessage.user("write it")).withContext(CallContext.of("ask")), collector);

            assertThat(response.text()).isEqualTo("beta answers in full");
            assertThat(response.modelId()).isEqualTo("beta-model");
            assertThat(response.failures()).extracting(FailedAttempt::modelId, FailedAttempt::kind)
                    .containsExactly(tuple("alpha-model", Kind.OVERLOADED), tuple("alpha-model", Kind.OVERLOADED));
            assertThat(alpha.requests()).hasSize(2).allSatisfy(r -> {
                assertThat(r.header("Authorization")).isEqualTo("Bearer sk-alpha-test-123456");
                assertThat(r.model()).isEqualTo("alpha-model-wire");
            });
            assertThat(beta.requests()).singleElement().satisfies(r -> assertThat(r.header("Authorization")).isNull());
            assertThat(observer.records).extracting(CallRecord::provider, CallRecord::modelId, r -> r.context().fallbackStep(),
                    r -> r.context().attempt(), CallRecord::outcome, r -> r.context().command())
                    .containsExactly(tuple("alpha", "alpha-model", 0, 1, Outcome.ERROR, "ask"),
                            tuple("alpha", "alpha-model", 0, 2, Outcome.ERROR, "ask"),
                            tuple("beta", "beta-model", 1, 1, Outcome.OK, "ask"));
            assertThat(observer.records.getLast().costUsd()).isPositive();
            // The listener heard of the retry and of the move to the next model.
            assertThat(collector.failures).extracting(FailedAttempt::attempt, FailedAttempt::fallbackStep)
                    .containsExactly(tuple(1, 0), tuple(2, 0));
            assertThat(collector.text()).isEqualTo("beta answers in full");
        }
    }

    @Test
    void aModelIdGivesItsStackReusedAcrossCalls() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            ChatModels models = Fixtures.factory(oneModel(server, null), Fixtures.retry(2),
                    new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(), observer, sleeper);
            ChatModel model = models.model("m");
            assertThat(model).isInstanceOf(RetryingChatModel.class).isSameAs(models.model("m"));
            assertThat(model.chat(ChatRequest.of(ChatMessage.user("ping"))).text()).isEqualTo("Scripted answer to: ping");
        }
    }

    @Test
    void aSingleModelWithoutItsKeyIsNoUsableModelNamingTheKey() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            ChatModels models = Fixtures.factory(oneModel(server, "env:MISSING_TEST_KEY"), Fixtures.retry(3),
                    new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(), observer, sleeper);
            ModelException e = catchThrowableOfType(ModelException.class, () -> models.model("m").chat(ChatRequest.of(ChatMessage.user("x"))));
            assertThat(e.kind()).isEqualTo(Kind.NO_USABLE_MODEL);
            assertThat(e.getMessage()).isEqualTo("no usable model: m has no key (MISSING_TEST_KEY)");
            assertThat(e.getCause()).hasMessageContaining("env:MISSING_TEST_KEY not set");
            assertThat(sleeper.waits).isEmpty();
            assertThat(server.requests()).isEmpty();
            assertThat(observer.records).isEmpty();
        }
    }

    @Test
    void anUnknownNameIsRefused() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            ChatModels models = Fixtures.factory(oneModel(server, null), Fixtures.retry(1),
                    new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(), observer, sleeper);
            assertThatThrownBy(() -> models.model("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        }
    }

    @Test
    void availabilitySaysWhatIsMissing() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.localModels(List.of("qwen2.5-coder:7b", "llama3:latest"));
            ProviderSpec ollama = new ProviderSpec("ollama", WireProtocol.OLLAMA, server.baseUrl(), Optional.empty(), true);
            ModelSpec qwen = local("qwen-coder", "qwen2.5-coder:7b");
            ModelSpec llama = local("llama", "llama3");
            ModelSpec gemma = local("gemma", "gemma3:4b");
            Catalog catalog = Fixtures.catalog(
                    List.of(ollama, openAiChat("keyed", server.baseUrl(), "env:OPENAI_TEST_KEY"), openAiChat("open", server.baseUrl(), null)),
                    List.of(qwen, llama, gemma, Fixtures.model("gpt", "keyed"), Fixtures.model("free", "open")), Map.of());
            ChatModels models = Fixtures.factory(catalog, Fixtures.retry(1), new CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                    Map.of(), observer, sleeper);

            assertThat(models.availability(catalog.model("gpt").orElseThrow()))
                    .isEqualTo(ModelAvailability.unusable("key env:OPENAI_TEST_KEY not set"));
            assertThat(models.availability(catalog.model("free").orElseThrow())).isEqualTo(ModelAvailability.READY);
            assertThat(models.availability(qwen)).isEqualTo(ModelAvailability.READY);
            assertThat(models.availability(llama)).isEqualTo(ModelAvailability.READY);
            assertThat(models.availability(gemma)).isEqualTo(ModelAvailability.unusable(
                    "not pulled in Ollama at " + server.baseUrl() + " (ollama pull gemma3:4b)"));
            // The pulled list was asked for once and is remembered.
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/tags")).hasSize(1);
        }
    }

    @Test
    void anOllamaThatDoesNotAnswerIsReported() {
        int port;
        try (ScriptedModelServer gone = ScriptedModelServer.start()) {
            port = gone.port();
        }
        ProviderSpec ollama = new ProviderSpec("ollama", WireProtocol.OLLAMA, "http://127.0.0.1:" + port, Optional.empty(), true);
        ModelSpec qwen = local("qwen-coder", "qwen2.5-coder:7b");
        ChatModels models = Fixtures.factory(Fixtures.catalog(List.of(ollama), List.of(qwen), Map.of()), Fixtures.retry(1),
                new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(), observer, sleeper);
        ModelAvailability availability = models.availability(qwen);
        assertThat(availability.usable()).isFalse();
        assertThat(availability.reason()).startsWith("Ollama not reachable at http://127.0.0.1:" + port);
    }

    private static Catalog oneModel(ScriptedModelServer server, String keyRef) {
        return Fixtures.catalog(List.of(openAiChat("prov", server.baseUrl(), keyRef)), List.of(Fixtures.model("m", "prov")), Map.of());
    }

    private static ModelSpec local(String id, String wireName) {
        return new ModelSpec(id, "ollama", wireName, "test", Pricing.FREE, 32_000, 4096, 40, true, true, Map.of());
    }
}
