package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Usage;
import java.util.Objects;

/** One call's tokens and the model that served it (a ledger row with its catalog entry). */
public record PricedCall(ModelSpec model, Usage usage) {
    public PricedCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
    }

    public double costUsd() {
        return model.costUsd(usage);
    }
}
