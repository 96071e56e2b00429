package dev.ensemble.llm.provider;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/** Small catalog entries for provider tests against the scripted server. */
final class TestSpecs {
    static final Timeouts FAST_TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(800),
            Duration.ofMillis(800), Duration.ofSeconds(10));

    private TestSpecs() {}

    static ModelSpec model(String id, String provider) {
        return new ModelSpec(id, provider, id + "-wire", "test",
                new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, false, true, Map.of());
    }

    static ProviderSpec provider(String name, WireProtocol wire, String baseUrl) {
        return new ProviderSpec(name, wire, baseUrl, Optional.empty(), false);
    }
}
