package dev.ensemble.gateway.keys;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Three models and an alias, priced so the worst case is easy to read: {@code pricey} costs $10 in
 * and $100 out per Mtok with at most 1,000 output tokens (a worst case just over $0.10);
 * {@code cheap} a hundredth of that; {@code local} nothing. {@code coding} is {@code cheap} then
 * {@code local}.
 */
final class TestCatalog {
    private TestCatalog() {}

    static final Catalog CATALOG = new Catalog(Map.of(), Map.of(
            "pricey", model("pricey", new Pricing(10, 100, 1, "test", LocalDate.of(2026, 11, 1)), false),
            "cheap", model("cheap", new Pricing(0.1, 1, 0.01, "test", LocalDate.of(2026, 11, 1)), false),
            "local", model("local", Pricing.FREE, true)),
            Map.of("coding", List.of("cheap", "local")));

    private static ModelSpec model(String id, Pricing pricing, boolean local) {
        return new ModelSpec(id, "test", id, "test", pricing, 32_768, 1_000, 50, local, true, Map.of());
    }
}
