package dev.ensemble.core.config;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.Timeouts;
import java.util.List;
import java.util.Objects;

/**
 * The configuration in force: the built-in catalog with the user's file, the repository's
 * {@code ensemble.yaml} and {@code ENSEMBLE_*} variables laid over it, validated.
 *
 * @param defaultModel the model id or alias used when a command names none
 * @param localOnly    when true, only models marked local may be called
 * @param sources      the layers actually read, in the order they were applied
 */
public record EnsembleConfig(Catalog catalog, String defaultModel, boolean localOnly, Timeouts timeouts,
                             RetrySettings retry, BreakerSettings breaker, StoreSettings store, List<String> sources) {
    public static final String DEFAULT_MODEL = "coding-model";

    public EnsembleConfig {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(defaultModel, "defaultModel");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(store, "store");
        sources = List.copyOf(sources);
    }
}
