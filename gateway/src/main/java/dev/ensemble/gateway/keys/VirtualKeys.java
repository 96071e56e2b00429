package dev.ensemble.gateway.keys;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.Reservations;
import dev.ensemble.gateway.observe.BudgetLeft;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The virtual keys made with {@code ensemble keys create}, as a {@link Gatekeeper}. It claims only
 * secrets that start with {@link KeySecrets#PREFIX}, so the operator's token and the keys ensemble
 * makes for agent attempts go to the gatekeepers that know them.
 *
 * <ul>
 *   <li>authenticate: an unknown, revoked or expired key is refused with 401; a key over its
 *       requests per minute with 429 (counted here, once per HTTP request, not once per model of
 *       a fallback chain, which is what {@link #admit} is asked for);</li>
 *   <li>admit: a model outside the key's list is refused with 403; a call whose worst case (the
 *       input estimate plus the output cap, at catalog prices, as the daily budget is checked)
 *       could cross the key's budget with 429 "key budget: $0.03 left of $5.00 per day";</li>
 *   <li>settle: the call's cost is added to the key's spend in its period's bucket and in total,
 *       in the key file, so a budget holds across gateway restarts.</li>
 * </ul>
 * No sentence repeats a presented secret; keys are named by their name and public id.
 */
public final class VirtualKeys implements Gatekeeper {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(java.time.ZoneOffset.UTC);

    private final KeyStore store;
    private final Catalog catalog;
    private final Clock clock;
    private final String runId;
    private final Consumer<String> warnings;
    private final RateWindow rates = new RateWindow();
    private final Reservations held = new Reservations();

    /**
     * @param runId    this gateway's run: the bucket of keys budgeted {@code per run}
     * @param warnings where a spend that could not be written is said (one line each; the call
     *                 it belongs to has already been answered)
     */
    public VirtualKeys(KeyStore store, Catalog catalog, Clock clock, String runId, Consumer<String> warnings) {
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.runId = Objects.requireNonNull(runId, "runId");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    @Override
    public Optional<Admission> authenticate(Optional<String> secret) {
        if (secret.isEmpty() || !KeySecrets.looksLikeSecret(secret.get())) return Optional.empty();
        Optional<VirtualKey> found;
        try {
            found = store.bySecret(secret.get());
        } catch (RuntimeException e) {
            return Optional.of(Admission.refused(503, "key store",
                    "the gateway cannot read its key file " + store.file() + " just now; try again"));
        }
        if (found.isEmpty()) {
            return Optional.of(Admission.refused(401, "unauthorized",
                    "unknown virtual key: no key with this secret was made for this gateway (`ensemble keys list` shows the keys)"));
        }
        VirtualKey key = found.get();
        Instant now = clock.instant();
        switch (key.status(now)) {
            case REVOKED -> {
                return Optional.of(Admission.refused(401, "unauthorized",
                        "key " + key.label() + " was revoked at " + WHEN.format(key.revokedAt().orElseThrow())));
            }
            case EXPIRED -> {
                return Optional.of(Admission.refused(401, "unauthorized",
                        "key " + key.label() + " expired at " + WHEN.format(key.expiresAt().orElseThrow())));
            }
            case ACTIVE -> { }
        }
        if (key.rpm() > 0) {
            Optional<Duration> wait = rates.tryAcquire(key.id(), key.rpm(), now);
            if (wait.isPresent()) {
                long seconds = Math.max(1, wait.get().plusMillis(999).truncatedTo(ChronoUnit.SECONDS).toSeconds());
                return Optional.of(Admission.refused(429, "rate limit", "key " + key.label() + " is over its limit of "
                        + key.rpm() + " requests a minute; retry in " + seconds + " s"));
            }
        }
        CallContext context = CallContext.of("gateway").withKeyId(key.id());
        return Optional.of(Admission.allowed(new Caller(Caller.Kind.VIRTUAL_KEY, key.id(), key.name(), context)));
    }

    @Override
    public Admission admit(Caller caller, String modelId, ChatRequest request) {
        Optional<VirtualKey> known = ours(caller);
        if (known.isEmpty()) return Admission.allowed(caller);
        VirtualKey key = known.get();
        if (!key.models().isEmpty() && !allowed(key, modelId)) {
            return Admission.refused(403, "model not allowed", "key " + key.label() + " may not use " + modelId
                    + "; it may use " + String.join(", ", key.models()));
        }
        if (key.budget().isEmpty()) return Admission.allowed(caller);
        KeyBudget budget = key.budget().get();
        Optional<ModelSpec> spec = catalog.model(modelId);
        double worst = spec.map(s -> BudgetGuard.worstCaseUsd(s, request)).orElse(0.0);
        // A free (local) model cannot cross a budget, even one already spent, as with the daily budget.
        if (worst == 0) return Admission.allowed(caller);
        String bucket = budget.period().bucket(clock.instant(), runId);
        String scope = key.id() + "\u0000" + bucket;
        // Checked and held in one step: what concurrent requests of this key may cost counts as spent until each settles.
        Reservations.Outcome<Admission> outcome = held.admit(List.of(scope), worst, heldOn -> {
            double spent;
            try {
                spent = store.spent(key.id(), bucket) + heldOn.applyAsDouble(scope);
            } catch (RuntimeException e) {
                return Optional.of(Admission.refused(503, "key store", "the gateway cannot read key " + key.label()
                        + "'s spending from " + store.file() + " just now; nothing was sent"));
            }
            if (spent + worst <= budget.usd()) return Optional.empty();
            double left = Math.max(0, budget.usd() - spent);
            return Optional.of(Admission.refused(429, "key budget", "key budget: " + BudgetGuard.usd(left) + " left of "
                    + BudgetGuard.usd(budget.usd()) + " " + budget.period().phrase() + " (key " + key.label() + "); this call to "
                    + modelId + " could cost up to " + BudgetGuard.usd(worst) + " — not sent"));
        });
        return outcome.refusal().orElseGet(() -> Admission.allowed(caller, outcome.release()));
    }

    @Override
    public void settle(Caller caller, CallRecord record) {
        Optional<VirtualKey> known;
        try {
            known = ours(caller);
            if (known.isEmpty() || record == null) return;
            VirtualKey key = known.get();
            Instant at = record.startedAt() == null ? clock.instant() : record.startedAt();
            List<String> buckets = new ArrayList<>();
            key.budget().ifPresent(b -> buckets.add(b.period().bucket(at, runId)));
            buckets.add(BudgetPeriod.TOTAL_BUCKET);
            store.addSpend(key.id(), buckets, record.costUsd());
        } catch (RuntimeException e) {
            warnings.accept("ensemble gateway: could not add a call's cost to key " + caller.keyName() + " (" + caller.keyId()
                    + ") in " + store.file() + ": " + KeyStore.reason(e));
        }
    }

    /**
     * Whether any key may be used now (not revoked, not expired): a standalone gateway then asks
     * every client for a key, since a key that limits what its holder may spend means nothing on
     * a gateway that also lets anyone in without one.
     */
    public static boolean anyActive(KeyStore store, Instant now) {
        return store.list().stream().anyMatch(k -> k.status(now) == VirtualKey.Status.ACTIVE);
    }

    /** Each usable budgeted key's money left in its current period, by key name: the metrics' budget gauge. */
    public List<BudgetLeft> budgetsLeft() {
        Instant now = clock.instant();
        List<BudgetLeft> out = new ArrayList<>();
        for (VirtualKey key : store.list()) {
            if (key.status(now) != VirtualKey.Status.ACTIVE || key.budget().isEmpty()) continue;
            KeyBudget budget = key.budget().get();
            out.add(BudgetLeft.key(key.name(), budget.usd() - store.spent(key.id(), budget.period().bucket(now, runId))));
        }
        return out;
    }

    /** The key behind a caller this gatekeeper authenticated; empty for every other caller. */
    private Optional<VirtualKey> ours(Caller caller) {
        if (caller.kind() != Caller.Kind.VIRTUAL_KEY || !caller.keyId().startsWith(KeySecrets.ID_PREFIX)) return Optional.empty();
        return store.byId(caller.keyId());
    }

    /** Named in the key's list, or in the chain of an alias the list names. */
    private boolean allowed(VirtualKey key, String modelId) {
        for (String entry : key.models()) {
            if (entry.equals(modelId)) return true;
            if (catalog.isAlias(entry)) {
                try {
                    if (catalog.resolve(entry).stream().anyMatch(m -> m.id().equals(modelId))) return true;
                } catch (IllegalArgumentException e) {
                    // An alias changed since the key was made and no longer resolves: it allows nothing.
                }
            }
        }
        return false;
    }
}
