package dev.ensemble.gateway.observe;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.SecretResolver;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A two-model catalog on the scripted server (OpenAI Chat wire, a key from the environment) and its model stack. */
final class ObserveFixtures {
    static final String SECRET = "sk-observe-secret-9f8e7d6c5b4a3210";

    private ObserveFixtures() {}

    static Catalog catalog(String serverBaseUrl) {
        ProviderSpec provider = new ProviderSpec("scripted", WireProtocol.OPENAI_CHAT, serverBaseUrl + "/v1",
                Optional.of(SecretRef.parse("env:OBSERVE_TEST_KEY")), false);
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (String id : List.of("alpha", "beta")) {
            models.put(id, new ModelSpec(id, "scripted", id + "-wire", "test",
                    new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)), 128_000, 4096, 100, false, true, Map.of()));
        }
        return new Catalog(Map.of("scripted", provider), models, Map.of("pair", List.of("alpha", "beta")));
    }

    static ChatModels models(Catalog catalog, CallObserver observer) {
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));
        RetrySettings once = new RetrySettings(1, Duration.ofMillis(10), Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1));
        SecretResolver secrets = new SecretResolver(Map.of("OBSERVE_TEST_KEY", SECRET), (command, timeout) -> {
            throw new java.io.IOException("no helper programs in tests");
        });
        return new ChatModels(catalog, timeouts, once, BreakerSettings.DEFAULT, secrets, observer);
    }
}
