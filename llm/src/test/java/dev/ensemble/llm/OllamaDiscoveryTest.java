package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.BuiltinCatalog;
import dev.ensemble.testkit.PulledModel;
import dev.ensemble.testkit.ScriptedModelServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pulled Ollama models outside the catalog join it, against the scripted server playing Ollama. */
class OllamaDiscoveryTest {
    private static final PulledModel MISTRAL = new PulledModel("mistral:7b", "llama", "7.2B", "Q4_K_M", 32768, List.of("completion", "tools"));
    private static final PulledModel LLAMA = new PulledModel("llama3.2:3b", "llama", "3.2B", "Q4_K_M", 131072, List.of("completion", "tools"));

    @Test
    void pulledModelsTheCatalogLacksJoinItAtNoCostWithGuessedScores() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.pulledModels(List.of(MISTRAL, LLAMA, PulledModel.of("qwen2.5-coder:7b"),
                    PulledModel.of("tinyfoo:latest").withFamily("foo").withParameterSize("1.1B")));
            Catalog catalog = builtinWithOllamaAt(server.baseUrl());
            OllamaTags tags = new OllamaTags();
            Catalog extended = new OllamaDiscovery(tags).extend(catalog);

            ModelSpec mistral = extended.model("mistral:7b").orElseThrow();
            assertThat(mistral.provider()).isEqualTo("ollama");
            assertThat(mistral.wireName()).isEqualTo("mistral:7b");
            assertThat(mistral.family()).as("the name wins over Ollama's details.family (llama for Mistral's GGUF)").isEqualTo("mistral");
            assertThat(mistral.contextWindow()).isEqualTo(32768);
            assertThat(mistral.supportsTools()).isTrue();
            assertThat(mistral.local()).isTrue();
            assertThat(mistral.pricing().inputPerMtok()).isZero();
            assertThat(mistral.pricing().outputPerMtok()).isZero();
            assertThat(mistral.pricing().source()).contains("7.2B parameters, Q4_K_M");
            Capability coding = mistral.capability(TaskKind.CODING).orElseThrow();
            assertThat(coding.guessed()).isTrue();
            assertThat(coding.benchmark()).startsWith("guessed from family mistral").contains("HumanEval 30.5%");

            ModelSpec llama = extended.model("llama3.2:3b").orElseThrow();
            assertThat(llama.contextWindow()).isEqualTo(131072);
            assertThat(llama.family()).isEqualTo("llama");
            // 3.2B against the 8B reference: 1.3 doublings smaller, so lower than llama3.1:8b's 2.5.
            assertThat(llama.capability(TaskKind.CODING).orElseThrow().score()).isLessThan(2.5);

            // A family nobody listed gets a conservative default that says so, under its bare name.
            ModelSpec tiny = extended.model("tinyfoo").orElseThrow();
            assertThat(tiny.wireName()).isEqualTo("tinyfoo:latest");
            assertThat(tiny.supportsTools()).isFalse();
            assertThat(tiny.capability(TaskKind.CODING).orElseThrow().benchmark()).startsWith("guessed").contains("family foo is not in");

            // The catalog's own model is not found again, and only unknown models are asked about.
            assertThat(extended.models().size()).isEqualTo(catalog.models().size() + 3);
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).extracting(r -> r.body())
                    .noneMatch(body -> body.contains("qwen2.5-coder"));
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(3);

            // The local aliases as shipped reach them, after the catalog's own models, each in its own order.
            assertThat(extended.aliases().get("local-coding")).startsWith(catalog.aliases().get("local-coding").toArray(String[]::new))
                    .endsWith("mistral:7b", "llama3.2:3b", "tinyfoo");
            assertThat(extended.aliases().get("fast-model")).endsWith("llama3.2:3b", "tinyfoo", "mistral:7b");
            assertThat(extended.aliases().get("coding-model")).isEqualTo(catalog.aliases().get("coding-model"));
            assertThat(extended.resolve("coding-model")).extracting(ModelSpec::id).contains("mistral:7b", "llama3.2:3b");

            // The availability checks share the one /api/tags call discovery made.
            ChatModels models = new ChatModels(extended, Fixtures.FAST_TIMEOUTS, Fixtures.retry(1),
                    dev.ensemble.core.BreakerSettings.DEFAULT, new SecretResolver(Map.of(), (c, t) -> {
                        throw new java.io.IOException("none");
                    }), CallObserver.NONE, java.util.Optional.empty(), false, tags);
            assertThat(models.availability(mistral)).isEqualTo(ModelAvailability.READY);
            assertThat(models.availability(extended.model("qwen3-coder:30b").orElseThrow()).usable()).isFalse();
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/tags")).hasSize(1);
        }
    }

    @Test
    void anAliasTheUserWroteIsLeftAsWritten() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.pulledModels(List.of(MISTRAL));
            Catalog builtin = builtinWithOllamaAt(server.baseUrl());
            Map<String, List<String>> aliases = new LinkedHashMap<>(builtin.aliases());
            aliases.put("local-coding", List.of("qwen2.5-coder:7b"));
            Catalog extended = new OllamaDiscovery(new OllamaTags()).extend(new Catalog(builtin.providers(), builtin.models(), aliases));
            assertThat(extended.aliases().get("local-coding")).containsExactly("qwen2.5-coder:7b");
            assertThat(extended.model("mistral:7b")).isPresent();
        }
    }

    @Test
    void aServerBehindTwoProvidersIsAskedOnceAndItsConfiguredModelsAreNotFoundAgain() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.pulledModels(List.of(MISTRAL, PulledModel.of("mine:7b")));
            Catalog builtin = builtinWithOllamaAt(server.baseUrl());
            Map<String, ProviderSpec> providers = new LinkedHashMap<>(builtin.providers());
            providers.put("gpu-box", new ProviderSpec("gpu-box", dev.ensemble.core.WireProtocol.OLLAMA, server.baseUrl() + "/v1/",
                    java.util.Optional.empty(), true));
            Map<String, ModelSpec> models = new LinkedHashMap<>(builtin.models());
            ModelSpec mine = new ModelSpec("my-model", "gpu-box", "mine:7b", "test", dev.ensemble.core.Pricing.FREE, 8192, 1024, 50,
                    true, true, Map.of());
            models.put(mine.id(), mine);
            Catalog extended = new OllamaDiscovery(new OllamaTags()).extend(new Catalog(providers, models, builtin.aliases()));
            assertThat(extended.models().size()).isEqualTo(models.size() + 1);
            assertThat(extended.model("mistral:7b").orElseThrow().provider()).isEqualTo("ollama");
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/tags")).hasSize(1);
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(1);
        }
    }

    @Test
    void anOllamaThatDoesNotAnswerAddsNothing() {
        int port;
        try (ScriptedModelServer gone = ScriptedModelServer.start()) {
            port = gone.port();
        }
        Catalog catalog = builtinWithOllamaAt("http://127.0.0.1:" + port);
        OllamaTags tags = new OllamaTags();
        assertThat(new OllamaDiscovery(tags).extend(catalog)).isSameAs(catalog);
        assertThat(tags.listing("http://127.0.0.1:" + port).problem()).startsWith("Ollama not reachable at http://127.0.0.1:" + port);
    }

    @Test
    void aModelWhoseShowFailsStillJoinsWithAConservativeContext() {
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.pulledModels(List.of(MISTRAL));
            Catalog catalog = builtinWithOllamaAt(server.baseUrl());
            OllamaTags tags = new OllamaTags();
            tags.listing(server.baseUrl());
            server.pulledModels(List.of());  // /api/show now answers 404 for it, as for a model removed in between
            ModelSpec mistral = new OllamaDiscovery(tags).extend(catalog).model("mistral:7b").orElseThrow();
            assertThat(mistral.contextWindow()).isEqualTo(OllamaDiscovery.UNKNOWN_CONTEXT);
            assertThat(mistral.supportsTools()).isFalse();
            assertThat(mistral.family()).isEqualTo("mistral");
        }
    }

    @Test
    void showAnswersAreKeptByDigestSoALaterProcessAsksOnlyAboutNewModels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path cacheFile = dir.resolve("cache/ensemble/ollama-show.json");
        java.time.Clock clock = java.time.Clock.systemUTC();
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.pulledModels(List.of(MISTRAL, LLAMA));
            Catalog catalog = builtinWithOllamaAt(server.baseUrl());
            Catalog first = new OllamaDiscovery(new OllamaTags(), cacheFile, clock).extend(catalog);
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(2);
            assertThat(cacheFile).exists();

            // A new process: one /api/tags, no /api/show, the same models.
            server.clearRequests();
            Catalog second = new OllamaDiscovery(new OllamaTags(), cacheFile, clock).extend(catalog);
            assertThat(server.requests()).extracting(r -> r.path()).containsExactly("/api/tags");
            assertThat(second.model("mistral:7b")).isEqualTo(first.model("mistral:7b"));

            // Re-pulled with another context length: another digest, asked again; the other still cached.
            server.clearRequests();
            server.pulledModels(List.of(MISTRAL.withContextLength(65536), LLAMA));
            Catalog third = new OllamaDiscovery(new OllamaTags(), cacheFile, clock).extend(catalog);
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(1);
            assertThat(third.model("mistral:7b").orElseThrow().contextWindow()).isEqualTo(65536);

            // A corrupt cache is an empty one.
            java.nio.file.Files.writeString(cacheFile, "{not json");
            server.clearRequests();
            assertThat(new OllamaDiscovery(new OllamaTags(), cacheFile, clock).extend(catalog).model("llama3.2:3b")).isPresent();
            assertThat(server.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(2);
        }
    }

    @Test
    void familiesAreMatchedByTheLongestNameStemThenByOllamasFamily() {
        assertThat(OllamaFamilies.guess("qwen2.5-coder:14b", "qwen2", "14.8B").family()).isEqualTo("qwen");
        assertThat(OllamaFamilies.guess("qwen2.5-coder:14b", "qwen2", "14.8B").capabilities().get(TaskKind.CODING).benchmark())
                .contains("Qwen2.5-Coder-7B-Instruct");
        assertThat(OllamaFamilies.guess("hf.co/bartowski/Phi-4-GGUF:Q4_K_M", "phi3", "").family()).isEqualTo("phi");
        assertThat(OllamaFamilies.guess("my-finetune:latest", "gemma3", "4.3B").family()).isEqualTo("gemma");
        OllamaFamilies.Guess unknown = OllamaFamilies.guess("granite-code:3b", "", "");
        assertThat(unknown.known()).isFalse();
        assertThat(unknown.billions()).isEqualTo(3.0);
        assertThat(unknown.capabilities().values()).allMatch(Capability::guessed);
        // Bigger than the reference moves up, at most two points.
        double big = OllamaFamilies.guess("llama3.3:70b", "llama", "70.6B").capabilities().get(TaskKind.CODING).score();
        assertThat(big).isEqualTo(4.5);
    }

    static Catalog builtinWithOllamaAt(String baseUrl) {
        Catalog builtin = BuiltinCatalog.load();
        Map<String, ProviderSpec> providers = new LinkedHashMap<>(builtin.providers());
        providers.put("ollama", builtin.provider("ollama").orElseThrow().withBaseUrl(baseUrl));
        return new Catalog(providers, builtin.models(), builtin.aliases());
    }
}
