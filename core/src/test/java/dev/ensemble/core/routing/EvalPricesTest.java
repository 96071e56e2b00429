package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.config.BuiltinCatalog;
import java.util.Collection;
import org.junit.jupiter.api.Test;

class EvalPricesTest {
    private final Collection<ModelSpec> catalog = BuiltinCatalog.load().models().values();

    @Test
    void theMmluColumnsHavePublishedLegacyPricesWithSources() {
        EvalPrices.Priced gpt4 = EvalPrices.resolve("gpt-4-1106-preview", null, catalog);
        assertThat(gpt4.pricing().inputPerMtok()).isEqualTo(10.0);
        assertThat(gpt4.pricing().outputPerMtok()).isEqualTo(30.0);
        assertThat(gpt4.origin()).contains("eval price list").contains("openai.com");
        EvalPrices.Priced mixtral = EvalPrices.resolve("mistralai/Mixtral-8x7B-Instruct-v0.1", null, catalog);
        assertThat(mixtral.pricing().inputPerMtok()).isEqualTo(0.54);
        assertThat(mixtral.pricing().source()).contains("openrouter.ai");
    }

    @Test
    void aColumnNamedLikeACatalogModelUsesTheCatalogPrice() {
        assertThat(EvalPrices.resolve("gpt-5-mini", null, catalog).pricing().inputPerMtok()).isEqualTo(0.25);
        assertThat(EvalPrices.resolve("claude-haiku-4-5-20251001", null, catalog).origin()).contains("catalog model claude-haiku-4-5");
    }

    @Test
    void theCallerMayMapAColumnToACatalogModelOrGivePrices() {
        assertThat(EvalPrices.resolve("gpt-4-1106-preview", "gpt-5", catalog).pricing().outputPerMtok()).isEqualTo(10.0);
        EvalPrices.Priced given = EvalPrices.resolve("x", "2.5/10", catalog);
        assertThat(given.pricing().inputPerMtok()).isEqualTo(2.5);
        assertThat(given.pricing().outputPerMtok()).isEqualTo(10.0);
        assertThatThrownBy(() -> EvalPrices.resolve("x", "gpt-99", catalog)).hasMessageContaining("neither a catalog model");
        assertThatThrownBy(() -> EvalPrices.resolve("mystery", null, catalog)).hasMessageContaining("--price 'mystery=MODEL'");
    }
}
