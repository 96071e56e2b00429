package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.WireProtocol;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BuiltinCatalogTest {
    private final Catalog catalog = BuiltinCatalog.load();

    @Test
    void holdsAtLeastTwentyModelsFromEveryFamily() {
        assertThat(catalog.models()).hasSizeGreaterThanOrEqualTo(20);
        Set<String> families = catalog.models().values().stream().map(ModelSpec::family).collect(Collectors.toSet());
        assertThat(families).contains("claude", "gpt", "gemini", "deepseek", "qwen", "llama");
        Set<String> providers = catalog.models().values().stream().map(ModelSpec::provider).collect(Collectors.toSet());
        assertThat(providers).contains("anthropic", "openai", "google", "deepseek", "ollama");
        assertThat(catalog.models()).containsKeys("claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5",
                "gpt-5-mini", "gpt-5-nano", "gpt-5-codex", "gpt-4.1", "o3", "o4-mini", "gemini-2.5-pro",
                "gemini-2.5-flash", "gemini-2.5-flash-lite", "deepseek-chat", "deepseek-reasoner", "qwen2.5-coder:7b",
                "qwen2.5-coder:32b", "qwen3-coder:30b", "deepseek-coder-v2:16b", "llama3.1:8b", "llama3.3:70b");
    }

    @Test
    void hasTheBuiltinProviders() {
        assertThat(catalog.provider("openai")).contains(new ProviderSpec("openai", WireProtocol.OPENAI_RESPONSES,
                "https://api.openai.com/v1", Optional.of(new SecretRef.Env("OPENAI_API_KEY")), false));
        assertThat(catalog.provider("anthropic")).contains(new ProviderSpec("anthropic", WireProtocol.ANTHROPIC,
                "https://api.anthropic.com", Optional.of(new SecretRef.Env("ANTHROPIC_API_KEY")), false));
        assertThat(catalog.provider("google")).contains(new ProviderSpec("google", WireProtocol.GEMINI,
                "https://generativelanguage.googleapis.com", Optional.of(new SecretRef.Env("GEMINI_API_KEY")), false));
        assertThat(catalog.provider("deepseek")).contains(new ProviderSpec("deepseek", WireProtocol.OPENAI_CHAT,
                "https://api.deepseek.com/v1", Optional.of(new SecretRef.Env("DEEPSEEK_API_KEY")), false));
        assertThat(catalog.provider("openrouter")).contains(new ProviderSpec("openrouter", WireProtocol.OPENAI_CHAT,
                "https://openrouter.ai/api/v1", Optional.of(new SecretRef.Env("OPENROUTER_API_KEY")), false));
        assertThat(catalog.provider("ollama")).contains(new ProviderSpec("ollama", WireProtocol.OLLAMA,
                "http://127.0.0.1:11434", Optional.empty(), true));
    }

    @Test
    void everyModelIsCompleteAndHonestAboutItsNumbers() {
        assertThat(catalog.models().values()).allSatisfy(model -> {
            assertThat(catalog.providerOf(model).local()).as(model.id() + " local matches its provider").isEqualTo(model.local());
            assertThat(model.capabilities()).as(model.id()).containsOnlyKeys(TaskKind.values());
            model.capabilities().values().forEach(c -> assertThat(c.benchmark()).as(model.id()).isNotBlank());
            assertThat(model.pricing().source()).as(model.id()).startsWith("https://");
            assertThat(model.tokensPerSecond()).as(model.id()).isPositive();
            assertThat(model.maxOutputTokens()).as(model.id()).isLessThanOrEqualTo(model.contextWindow());
            if (model.local()) {
                assertThat(List.of(model.pricing().inputPerMtok(), model.pricing().outputPerMtok(),
                        model.pricing().cachedInputPerMtok())).as(model.id() + " is free").containsOnly(0.0);
            } else {
                assertThat(model.pricing().inputPerMtok()).as(model.id()).isPositive();
                assertThat(model.pricing().outputPerMtok()).as(model.id()).isGreaterThanOrEqualTo(model.pricing().inputPerMtok());
                assertThat(model.pricing().cachedInputPerMtok()).as(model.id()).isLessThan(model.pricing().inputPerMtok());
            }
        });
    }

    @Test
    void everyBuiltinAliasResolvesAndEndsLocally() {
        assertThat(catalog.aliases()).containsOnlyKeys("research-model", "coding-model", "fast-model", "local-research", "local-coding");
        catalog.aliases().keySet().forEach(alias -> {
            List<ModelSpec> chain = catalog.resolve(alias);
            assertThat(chain).as(alias).isNotEmpty();
            assertThat(chain.getLast().local()).as(alias + " ends in a local model").isTrue();
        });
        assertThat(catalog.resolve("local-coding")).allMatch(ModelSpec::local);
        assertThat(catalog.resolve("local-research")).allMatch(ModelSpec::local);
        assertThat(catalog.resolve("coding-model").getFirst().local()).isFalse();
    }

    @Test
    void theCatalogYamlIsTheSameShapeAsAUserConfig() {
        Layer layer = BuiltinCatalog.layer();

        assertThat(layer.tree().propertyNames()).containsExactly("providers", "models", "aliases");
        assertThat(SchemaCheck.instance().check(layer)).isEmpty();
        assertThat(layer.problems()).isEmpty();
    }

    @Test
    void builtinValuesAreNeverMistakenForKeys() {
        String yaml = new ConfigLoader(null, null, java.util.Map.of()).effectiveYaml();

        assertThat(yaml).doesNotContain(dev.ensemble.core.Redactor.MASK).contains("env:OPENAI_API_KEY");
    }
}
