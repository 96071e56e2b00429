package dev.ensemble.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a family of models is served: base URL, dialect and how to find the key. A provider
 * without a key (Ollama, a local vLLM) has {@code apiKey} empty.
 *
 * @param maxConcurrency the most model calls and CLI agent runs ensemble has in flight at this
 *                       provider at once (a local GPU, a rate-limited tier); 0 means no limit
 */
public record ProviderSpec(String name, WireProtocol wire, String baseUrl, Optional<SecretRef> apiKey, boolean local,
                           int maxConcurrency) {
    public ProviderSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wire, "wire");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        if (maxConcurrency < 0) throw new IllegalArgumentException("max_concurrency must be 1 or more (0: no limit)");
    }

    /** A provider without a concurrency limit. */
    public ProviderSpec(String name, WireProtocol wire, String baseUrl, Optional<SecretRef> apiKey, boolean local) {
        this(name, wire, baseUrl, apiKey, local, 0);
    }

    public ProviderSpec withBaseUrl(String newBaseUrl) {
        return new ProviderSpec(name, wire, newBaseUrl, apiKey, local, maxConcurrency);
    }

    public ProviderSpec withApiKey(Optional<SecretRef> newApiKey) {
        return new ProviderSpec(name, wire, baseUrl, newApiKey, local, maxConcurrency);
    }

    public ProviderSpec withMaxConcurrency(int limit) {
        return new ProviderSpec(name, wire, baseUrl, apiKey, local, limit);
    }
}
