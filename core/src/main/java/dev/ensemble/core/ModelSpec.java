package dev.ensemble.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One model as ensemble knows it. {@code id} is ensemble's own name (unique in the catalog);
 * {@code wireName} is what the provider's API expects in its {@code model} field.
 */
public record ModelSpec(
        String id,
        String provider,
        String wireName,
        String family,
        Pricing pricing,
        int contextWindow,
        int maxOutputTokens,
        double tokensPerSecond,
        boolean local,
        boolean supportsTools,
        Map<TaskKind, Capability> capabilities) {

    public ModelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(wireName, "wireName");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(pricing, "pricing");
        capabilities = Map.copyOf(capabilities);
        if (contextWindow <= 0) throw new IllegalArgumentException("context window must be positive");
        if (maxOutputTokens <= 0) throw new IllegalArgumentException("max output must be positive");
    }

    public Optional<Capability> capability(TaskKind kind) {
        return Optional.ofNullable(capabilities.get(kind));
    }

    public double costUsd(Usage usage) {
        return pricing.costUsd(usage);
    }

    public ModelSpec withProvider(String newProvider) {
        return new ModelSpec(id, newProvider, wireName, family, pricing, contextWindow, maxOutputTokens,
                tokensPerSecond, local, supportsTools, capabilities);
    }

    public ModelSpec withPricing(Pricing newPricing) {
        return new ModelSpec(id, provider, wireName, family, newPricing, contextWindow, maxOutputTokens,
                tokensPerSecond, local, supportsTools, capabilities);
    }
}
