package dev.ensemble.gateway.keys;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.ChatRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * The daily, run and task budgets ({@code budget:} in the configuration) for every request through
 * the gateway, whoever sends it: the same {@link BudgetGuard} that {@code BudgetedChatModel} asks
 * before one of ensemble's own calls, answered as a refusal the server sends back in the client's
 * wire format (429) instead of an exception. The run and task are the caller's (an agent attempt's
 * key carries them); a virtual key or the operator has neither, so only the daily budget applies.
 * It knows no key, so it never authenticates anyone.
 */
public final class BudgetGatekeeper implements Gatekeeper {
    private final BudgetGuard guard;
    private final Catalog catalog;

    public BudgetGatekeeper(BudgetGuard guard, Catalog catalog) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    public Optional<Admission> authenticate(Optional<String> secret) {
        return Optional.empty();
    }

    @Override
    public Admission admit(Caller caller, String modelId, ChatRequest request) {
        Optional<ModelSpec> spec = catalog.model(modelId);
        if (spec.isEmpty()) return Admission.allowed(caller);
        Optional<BudgetGuard.Denial> denial = guard.evaluate(spec.get(), request.withContext(caller.context()));
        if (denial.isEmpty()) return Admission.allowed(caller);
        BudgetGuard.Denial d = denial.get();
        if (d.limit().isEmpty()) return Admission.refused(429, "budget", d.message());
        // "daily budget: $0.03 left of $50.00; this call to gpt-5 could cost up to $0.09 — not sent; …"
        return Admission.refused(429, d.limit() + " budget", d.limit() + " budget: " + BudgetGuard.usd(d.leftUsd()) + " left of "
                + BudgetGuard.usd(d.limitUsd()) + "; this call to " + d.modelId()
                + " could cost up to " + BudgetGuard.usd(d.worstCaseUsd()) + " — not sent; raise budget." + d.setting()
                + " or use a cheaper or local model");
    }
}
