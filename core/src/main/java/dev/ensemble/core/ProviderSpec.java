package dev.ensemble.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a family of models is served: base URL, dialect and how to find the key. A provider
 * without a key (Ollama, a local vLLM) has {@code apiKey} empty.
 */
public record ProviderSpec(String name, WireProtocol wire, String baseUrl, Optional<SecretRef> apiKey, boolean local) {
    public ProviderSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wire, "wire");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
    }

    public ProviderSpec withBaseUrl(String newBaseUrl) {
        return new ProviderSpec(name, wire, newBaseUrl, apiKey, local);
    }

    public ProviderSpec withApiKey(Optional<SecretRef> newApiKey) {
        return new ProviderSpec(name, wire, baseUrl, newApiKey, local);
    }
}
