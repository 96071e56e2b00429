package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import java.util.Objects;

/** A model the router did not consider, and why ("no key: env:OPENAI_API_KEY not set", "context 32k < 50k needed"). */
public record Exclusion(ModelSpec model, String reason) {
    public Exclusion {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
    }
}
