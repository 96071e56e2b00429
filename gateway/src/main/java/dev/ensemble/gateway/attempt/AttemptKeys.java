package dev.ensemble.gateway.attempt;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.gateway.Reservations;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.SpendSource;
import dev.ensemble.llm.TokenEstimator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The keys of a run's agent attempts: one per attempt, carrying its run, task and attempt, revoked
 * when the attempt ends. While the agent runs, every request it sends is admitted here first:
 * <ul>
 *   <li>the daily, run and task budgets: the first request whose worst-case cost (its input
 *   estimate plus its output cap at the catalog's prices for the model about to be tried) would
 *   cross one is refused, so nothing over budget is sent upstream;</li>
 *   <li>the runaway guard ({@link RunawayLimits}).</li>
 * </ul>
 * and every answer it gets back, before it gets it, by the attempt's {@link ToolCallAuditor} when
 * it has one.
 * A refusal is final for the attempt: its owner is told once (so it stops the agent process) and
 * every later request of the attempt is refused the same way. Only secrets' SHA-256 digests are
 * kept; each secret is registered with the {@link Redactor} so it never reaches a log or the ledger.
 */
public final class AttemptKeys implements Gatekeeper, AttemptIssuer {
    /** What an attempt's secret starts with, so other gatekeepers' keys are not looked up here. */
    public static final String PREFIX = "ens-att-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Catalog catalog;
    private final Budget budget;
    private final SpendSource spend;
    private final RunawayLimits runaway;
    private final Map<String, Attempt> bySecretDigest = new ConcurrentHashMap<>();
    private final Map<String, Attempt> byKeyId = new ConcurrentHashMap<>();
    private final Reservations held = new Reservations();

    public AttemptKeys(Catalog catalog, Budget budget, SpendSource spend, RunawayLimits runaway) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.spend = Objects.requireNonNull(spend, "spend");
        this.runaway = Objects.requireNonNull(runaway, "runaway");
    }

    /**
     * A key for one attempt; {@code onRefusal} is called once, on the request's thread, when the
     * gateway refuses the attempt a request (it should stop the agent and return at once).
     */
    public Attempt issue(CallContext context, Consumer<Refusal> onRefusal) {
        return issue(context, onRefusal, record -> { }, Optional.empty(), false);
    }

    /**
     * As {@link #issue(CallContext, Consumer)}; {@code onCall} hears of each upstream request of
     * the attempt as its ledger row is settled, on the request's thread (the run's live events).
     * The attempt's answers are audited by {@code auditor} before they reach the agent: with
     * {@code block} (no OS sandbox) a flagged tool call refuses the attempt and the agent gets an
     * error instead; without it, the flag is only kept ({@link Attempt#flagged()}), for the sandbox
     * already confines the agent.
     */
    @Override
    public Attempt issue(CallContext context, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall,
                         Optional<ToolCallAuditor> auditor, boolean block) {
        return issue(context, onRefusal, onCall, Optional.empty(), runaway, auditor, block);
    }

    /**
     * As {@link #issue(CallContext, Consumer, Consumer, Optional, boolean)}, for an owner in another
     * process: its requests are checked against {@code carried} (the owner's budgets and spending)
     * instead of this process's, and the runaway guard with the owner's {@code limits}.
     */
    public Attempt issue(CallContext context, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall,
                         Optional<CarriedBudget> carried, RunawayLimits limits, Optional<ToolCallAuditor> auditor, boolean block) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Redactor.global().register(secret);
        String keyId = "att-" + HexFormat.of().formatHex(raw, 0, 4);
        String digest = digest(secret);
        Attempt[] self = new Attempt[1];
        Attempt attempt = new Attempt(keyId, secret, context, limits, onRefusal, onCall, carried, () -> {
            bySecretDigest.remove(digest, self[0]);
            byKeyId.remove(keyId, self[0]);
        }, auditor, block);
        self[0] = attempt;
        bySecretDigest.put(digest, attempt);
        byKeyId.put(keyId, attempt);
        return attempt;
    }

    /** Keys issued and not yet revoked. */
    public int active() {
        return byKeyId.size();
    }

    @Override
    public Optional<Admission> authenticate(Optional<String> secret) {
        if (secret.isEmpty() || !secret.get().startsWith(PREFIX)) return Optional.empty();
        Attempt attempt = bySecretDigest.get(digest(secret.get()));
        if (attempt == null) {
            return Optional.of(Admission.refused(401, "unauthorized", "unknown or revoked attempt key (an attempt's key ends with its attempt)"));
        }
        return Optional.of(Admission.allowed(new Caller(Caller.Kind.ATTEMPT, attempt.keyId(), describe(attempt.context()),
                attempt.context())));
    }

    @Override
    public Admission admit(Caller caller, String modelId, ChatRequest request) {
        if (caller.kind() != Caller.Kind.ATTEMPT) return Admission.allowed(caller);
        Attempt attempt = byKeyId.get(caller.keyId());
        if (attempt == null) return Admission.refused(401, "unauthorized", "attempt key revoked: the attempt has ended");
        if (attempt.refusal().isPresent()) return refused(attempt.refusal().get());
        attempt.saw(request.messages());
        Optional<String> loop = attempt.guard().check(request);
        if (loop.isPresent()) {
            return refused(attempt.refuse(new Refusal("runaway", "runaway: " + loop.get() + " — the agent was stopped")));
        }
        Optional<ModelSpec> spec = catalog.model(modelId);
        if (spec.isEmpty()) return Admission.allowed(caller);
        double worst = BudgetGuard.worstCaseUsd(spec.get(), request);
        CallContext context = attempt.context();
        List<String> scopes = List.of("day", "run\u0000" + context.runId(), "task\u0000" + context.runId() + "\u0000" + context.taskId());
        // Checked and held in one step, so the attempt's concurrent requests (and its run's other tasks) see each other.
        Budget limits = attempt.carried().map(CarriedBudget::limits).orElse(budget);
        Reservations.Outcome<Refusal> outcome = held.admit(scopes, worst, heldOn -> overBudget(spec.get(), request, worst, context, limits,
                attempt.carried().map(c -> c.plus(attempt.costUsd())).orElseGet(() -> spend.spent(context)),
                new double[] {heldOn.applyAsDouble(scopes.get(0)), heldOn.applyAsDouble(scopes.get(1)), heldOn.applyAsDouble(scopes.get(2))}));
        if (outcome.refusal().isPresent()) return refused(attempt.refuse(outcome.refusal().get()));
        return Admission.allowed(caller, outcome.release());
    }

    @Override
    public Optional<dev.ensemble.gateway.AnswerCheck> answerCheck(Caller caller) {
        if (caller.kind() != Caller.Kind.ATTEMPT) return Optional.empty();
        Attempt attempt = byKeyId.get(caller.keyId());
        if (attempt == null || !attempt.audited()) return Optional.empty();
        return Optional.of(attempt::audit);
    }

    @Override
    public void settle(Caller caller, CallRecord record) {
        if (caller.kind() != Caller.Kind.ATTEMPT) return;
        Attempt attempt = byKeyId.get(caller.keyId());
        if (attempt != null) attempt.settled(record);
    }

    /** The first limit (daily, run, task) that this request's worst case could cross, with what is left. */
    private static Optional<Refusal> overBudget(ModelSpec spec, ChatRequest request, double worst, CallContext context, Budget budget,
                                                Spent spent, double[] held) {
        if (worst == 0) return Optional.empty();  // a free model cannot cross a limit
        String[] names = {"daily", "run", "task"};
        String[] keys = {"daily_usd", "run_usd", "task_usd"};
        OptionalDouble[] limits = {budget.dailyUsd(), budget.runUsd(), budget.taskUsd()};
        double[] spentBy = {spent.todayUsd() + held[0], context.runId().isEmpty() ? 0 : spent.runUsd() + held[1],
                context.taskId().isEmpty() ? 0 : spent.taskUsd() + held[2]};
        for (int i = 0; i < names.length; i++) {
            if (limits[i].isEmpty() || spentBy[i] + worst <= limits[i].getAsDouble()) continue;
            double limit = limits[i].getAsDouble();
            double left = Math.max(0, limit - spentBy[i]);
            return Optional.of(new Refusal(names[i] + " budget", String.format(Locale.ROOT,
                    "%s budget %s: spent %s, %s left; this request to %s could cost up to %s — not sent, the agent was stopped "
                            + "(raise budget.%s)", names[i], usd(limit), usd(spentBy[i]), usd(left),
                    spec.id(), usd(worst), keys[i]), left, TokenEstimator.estimate(request), request.maxOutputTokens()));
        }
        return Optional.empty();
    }

    private static Admission refused(Refusal why) {
        int status = why.reason().equals("runaway") || why.reason().equals(ToolCallAuditor.BLOCKED) ? 403 : 429;
        return Admission.refused(status, why.reason(), why.message());
    }

    private static String describe(CallContext c) {
        return "attempt " + c.attempt() + " of " + c.runId() + "/" + c.taskId();
    }

    static String usd(double v) {
        if (v != 0 && Math.abs(v) < 0.01) return String.format(Locale.ROOT, "$%.6f", v).replaceAll("0+$", "");
        return String.format(Locale.ROOT, "$%.2f", v);
    }

    private static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
