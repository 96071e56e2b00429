package dev.ensemble.gateway.keys;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.Reservations;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.CallContext;
import java.util.ArrayList;
import java.util.List;
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
    private final Reservations held = new Reservations();

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
        ChatRequest attributed = request.withContext(caller.context());
        double worst = BudgetGuard.worstCaseUsd(spec.get(), attributed);
        List<String> scopes = scopes(caller.context());
        // Checked and held in one step: concurrent requests see each other's worst case until each is settled.
        Reservations.Outcome<BudgetGuard.Denial> outcome = held.admit(scopes, worst, heldOn -> guard.evaluate(spec.get(), attributed,
                new Spent(heldOn.applyAsDouble(scopes.get(0)), scopes.size() > 1 ? heldOn.applyAsDouble(scopes.get(1)) : 0,
                        scopes.size() > 2 ? heldOn.applyAsDouble(scopes.get(2)) : 0)));
        if (outcome.refusal().isEmpty()) return Admission.allowed(caller, outcome.release());
        BudgetGuard.Denial d = outcome.refusal().get();
        if (d.limit().isEmpty()) return Admission.refused(429, "budget", d.message());
        // "daily budget: $0.03 left of $50.00; this call to gpt-5 could cost up to $0.09 — not sent; …"
        return Admission.refused(429, d.limit() + " budget", d.limit() + " budget: " + BudgetGuard.usd(d.leftUsd()) + " left of "
                + BudgetGuard.usd(d.limitUsd()) + "; this call to " + d.modelId()
                + " could cost up to " + BudgetGuard.usd(d.worstCaseUsd()) + " — not sent; raise budget." + d.setting()
                + " or use a cheaper or local model");
    }

    /** The budgets a call of {@code context} counts against: the day, and its run and task when it has them. */
    static List<String> scopes(CallContext context) {
        List<String> scopes = new ArrayList<>(3);
        scopes.add("day");
        if (!context.runId().isEmpty()) {
            scopes.add("run\u0000" + context.runId());
            if (!context.taskId().isEmpty()) scopes.add("task\u0000" + context.runId() + "\u0000" + context.taskId());
        }
        return scopes;
    }
}
