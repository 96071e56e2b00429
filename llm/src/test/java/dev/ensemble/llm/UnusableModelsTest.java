package dev.ensemble.llm;

import static dev.ensemble.llm.Fixtures.openAiChat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.Fixtures.CollectingObserver;
import dev.ensemble.llm.Fixtures.Collector;
import dev.ensemble.llm.Fixtures.RecordingSleeper;
import dev.ensemble.llm.ModelException.Kind;
import dev.ensemble.llm.UnusableModel.Reason;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Models that cannot be used at all (no key, a local server that refuses the connection, a model
 * Ollama has not pulled): never retried, never a ledger row, skipped quietly by a chain, and when
 * nothing of a chain is usable one {@link Kind#NO_USABLE_MODEL} that says why in one paragraph.
 */
class UnusableModelsTest {
    private final CollectingObserver observer = new CollectingObserver();
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private ScriptedModelServer server;
    private String refused;

    @BeforeEach
    void start() throws IOException {
        server = ScriptedModelServer.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            refused = "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ModelSpec local(String id, String provider) {
        return new ModelSpec(id, provider, id, "qwen", new Pricing(0, 0, 0, "local", LocalDate.of(2026, 11, 1)),
                32_768, 2048, 50, true, true, Map.of());
    }

    private static ProviderSpec ollama(String name, String baseUrl) {
        return new ProviderSpec(name, WireProtocol.OLLAMA, baseUrl, Optional.empty(), true);
    }

    /**
     * The shape of the built-in default alias: two cloud models without keys, then two models of
     * a local Ollama that is not running, then (in "rescued") one that answers.
     */
    private ChatModels factory(int attempts) {
        Catalog catalog = Fixtures.catalog(
                List.of(openAiChat("cloud-a", server.baseUrl(), "env:UNSET_KEY_A"), openAiChat("cloud-b", server.baseUrl(), "env:UNSET_KEY_B"),
                        ollama("ollama", refused), ollama("live", server.baseUrl())),
                List.of(Fixtures.model("sonnet", "cloud-a"), Fixtures.model("codex", "cloud-b"),
                        local("coder:30b", "ollama"), local("coder:7b", "ollama"), local("small:1b", "live")),
                Map.of("coding", List.of("sonnet", "codex", "coder:30b", "coder:7b"),
                        "rescued", List.of("sonnet", "codex", "coder:30b", "coder:7b", "small:1b")));
        return Fixtures.factory(catalog, Fixtures.retry(attempts), new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(),
                observer, sleeper);
    }

    private static ChatRequest hello() {
        return ChatRequest.of(ChatMessage.user("explain CRDTs")).withContext(CallContext.of("ask"));
    }

    @Test
    void aRefusedConnectionIsNotRetriedAndLeavesNoLedgerRow() {
        ModelException e = catchThrowableOfType(ModelException.class, () -> factory(3).model("coder:30b").chat(hello(), new Collector()));

        assertThat(e.kind()).isEqualTo(Kind.NO_USABLE_MODEL);
        assertThat(e.getMessage()).isEqualTo("no usable model: Ollama is not answering at " + refused);
        assertThat(e.unusable()).extracting(UnusableModel::modelId, UnusableModel::reason, UnusableModel::detail)
                .containsExactly(tuple("coder:30b", Reason.NOT_ANSWERING, refused));
        // The transport's own kind, underneath: not retryable, so no backoff was waited.
        assertThat(e.getCause()).isInstanceOfSatisfying(ModelException.class, cause -> {
            assertThat(cause.kind()).isEqualTo(Kind.UNREACHABLE);
            assertThat(cause.retryable()).isFalse();
            assertThat(cause.getMessage()).contains("connection refused");
        });
        assertThat(sleeper.waits).isEmpty();
        assertThat(e.getSuppressed()).isEmpty();
        assertThat(observer.records).isEmpty();
    }

    @Test
    void aChainOfKeylessAndSilentModelsFailsAtOnceWithOneParagraph() {
        Collector collector = new Collector();

        ModelException e = catchThrowableOfType(ModelException.class, () -> factory(3).model("coding").chat(hello(), collector));

        assertThat(e.kind()).isEqualTo(Kind.NO_USABLE_MODEL);
        assertThat(e.getMessage()).isEqualTo("no usable model: 2 cloud models have no key (UNSET_KEY_A, UNSET_KEY_B); "
                + "Ollama is not answering at " + refused);
        assertThat(e.unusable()).extracting(UnusableModel::modelId, UnusableModel::reason).containsExactly(
                tuple("sonnet", Reason.NO_KEY), tuple("codex", Reason.NO_KEY),
                tuple("coder:30b", Reason.NOT_ANSWERING), tuple("coder:7b", Reason.NOT_ANSWERING));
        assertThat(collector.failures).as("no retry or fallback lines").isEmpty();
        assertThat(sleeper.waits).as("no backoff").isEmpty();
        assertThat(observer.records).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void unusableModelsAreSkippedSilentlyWhenAUsableOneAnswers() {
        server.rule(Rule.text("a CRDT merges without coordination"));
        Collector collector = new Collector();

        ChatResponse response = factory(3).model("rescued").chat(hello(), collector);

        assertThat(response.text()).isEqualTo("a CRDT merges without coordination");
        assertThat(response.modelId()).isEqualTo("small:1b");
        assertThat(response.failures()).isEmpty();
        assertThat(collector.failures).isEmpty();
        assertThat(response.skipped()).extracting(UnusableModel::modelId, UnusableModel::reasonKey).containsExactly(
                tuple("sonnet", "no_key"), tuple("codex", "no_key"), tuple("coder:30b", "not_answering"), tuple("coder:7b", "not_answering"));
        assertThat(observer.records).extracting(CallRecord::modelId).containsExactly("small:1b");
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void onceAProviderRefusesItsOtherModelsInTheChainAreNotTried() {
        AtomicInteger calls = new AtomicInteger();
        ModelSpec first = local("a", "down");
        ModelSpec second = local("b", "down");
        ProviderSpec down = ollama("down", refused);
        ChatModel refusing = new ChatModel() {
            @Override public ModelSpec spec() { return first; }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                calls.incrementAndGet();
                throw ModelException.noUsableModel(List.of(UnusableModel.notAnswering(first, down)));
            }
        };
        ChatModel never = new ChatModel() {
            @Override public ModelSpec spec() { return second; }

            @Override public ChatResponse chat(ChatRequest request, StreamListener listener) {
                calls.incrementAndGet();
                throw new AssertionError("b is on a provider already found not answering");
            }
        };

        ModelException e = catchThrowableOfType(ModelException.class, () -> new FallbackChatModel(List.of(refusing, never)).chat(hello()));

        assertThat(calls).hasValue(1);
        assertThat(e.unusable()).extracting(UnusableModel::modelId).containsExactly("a", "b");
    }

    @Test
    void aModelOllamaHasNotPulledIsSkippedLikeAMissingKey() {
        server.rule(Rule.fault(new Fault.HttpError(404)).forModel("^coder:30b$"));
        server.rule(Rule.text("from the small one"));
        Catalog catalog = Fixtures.catalog(List.of(ollama("ollama", server.baseUrl())),
                List.of(local("coder:30b", "ollama"), local("small:1b", "ollama")), Map.of("pair", List.of("coder:30b", "small:1b")));
        ChatModels models = Fixtures.factory(catalog, Fixtures.retry(3), new CircuitBreakerRegistry(BreakerSettings.DEFAULT), Map.of(),
                observer, sleeper);
        Collector collector = new Collector();

        ChatResponse response = models.model("pair").chat(hello(), collector);

        assertThat(response.modelId()).isEqualTo("small:1b");
        assertThat(response.failures()).isEmpty();
        assertThat(collector.failures).isEmpty();
        assertThat(response.skipped()).extracting(UnusableModel::modelId, UnusableModel::reason)
                .containsExactly(tuple("coder:30b", Reason.NOT_PULLED));
        assertThat(observer.records).extracting(CallRecord::modelId).containsExactly("small:1b");
        assertThat(server.requests()).extracting(r -> r.model()).containsExactly("coder:30b", "small:1b");
    }

    @Test
    void aRealFailureAfterSkippedModelsKeepsItsKindAndMentionsTheSkippedOnes() {
        server.rule(Rule.fault(new Fault.HttpError(500)));

        ModelException e = catchThrowableOfType(ModelException.class, () -> factory(2).model("rescued").chat(hello()));

        assertThat(e.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(e.getMessage()).startsWith("every usable model of the chain failed: small:1b: server error")
                .endsWith("; not usable: 2 cloud models have no key (UNSET_KEY_A, UNSET_KEY_B); Ollama is not answering at " + refused);
        assertThat(sleeper.waits).hasSize(1);  // the server error is retried, the unusable models are not
    }

    @Test
    void usabilityTellsBeforeAnythingIsSent() {
        server.localModels(List.of("small:1b"));
        ChatModels models = factory(1);
        Catalog catalog = models.catalog();
        Usability usability = models.usability();

        assertThat(usability.check(catalog.model("sonnet").orElseThrow())).get()
                .extracting(UnusableModel::reason, UnusableModel::detail).containsExactly(Reason.NO_KEY, "UNSET_KEY_A");
        assertThat(usability.check(catalog.model("coder:7b").orElseThrow())).get()
                .extracting(UnusableModel::reason).isEqualTo(Reason.NOT_ANSWERING);
        assertThat(usability.check(catalog.model("small:1b").orElseThrow())).isEmpty();
        assertThat(usability.noneUsable(null, catalog.resolve("coding"))).get()
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.NO_USABLE_MODEL));
        assertThat(usability.noneUsable(null, catalog.resolve("rescued"))).isEmpty();
        assertThat(server.requests()).as("keys and a TCP connect: no request").isEmpty();

        // Asked to, Ollama's list of pulled models is fetched, once per server.
        assertThat(usability.check(catalog.model("small:1b").orElseThrow(), true)).isEmpty();
        assertThat(usability.noneUsable(null, catalog.resolve("rescued"), true)).isEmpty();
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly("GET /api/tags");
    }

    @Test
    void theParagraphCollapsesByReason() {
        ModelSpec a = local("qwen3-coder:30b", "ollama");
        ModelSpec b = local("qwen2.5-coder:7b", "ollama");
        ProviderSpec ollama = ollama("ollama", "http://127.0.0.1:11434");
        assertThat(UnusableModel.describe(List.of(UnusableModel.notPulled(a, ollama), UnusableModel.notPulled(b, ollama))))
                .isEqualTo("2 models are not pulled in Ollama (qwen3-coder:30b, qwen2.5-coder:7b)");
        List<UnusableModel> many = List.of("a:1b", "b:1b", "c:1b", "d:1b", "e:1b").stream()
                .map(id -> UnusableModel.notPulled(local(id, "ollama"), ollama)).toList();
        assertThat(UnusableModel.describe(many)).isEqualTo("5 models are not pulled in Ollama (a:1b, b:1b, c:1b and 2 more)");
        assertThat(UnusableModel.describe(List.of(UnusableModel.notPulled(a, ollama))))
                .isEqualTo("qwen3-coder:30b is not pulled in Ollama");
        assertThat(UnusableModel.describe(List.of(UnusableModel.localOnly(Fixtures.model("gpt-5", "openai"), ollama))))
                .isEqualTo("gpt-5 is a cloud model (local-only mode)");
    }
}
