package dev.ensemble.gateway;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.attempt.Attempt;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.CallRecordJson;
import dev.ensemble.gateway.attempt.CarriedBudget;
import dev.ensemble.gateway.attempt.Refusal;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.gateway.attempt.ToolCallAuditor;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Attempt keys for runs in other processes: what lets {@code exec}/{@code go} with
 * {@code gateway.url} use a running {@code ensemble gateway}. Only the operator ({@code ENSEMBLE_TOKEN})
 * may call it:
 * <ul>
 *   <li>{@code POST /ensemble/attempts} mints a key for one attempt, with its run, task and attempt
 *   and the run's budgets and spending ({@link CarriedBudget}) and runaway limits; answers the secret once;</li>
 *   <li>{@code GET /ensemble/attempts/{id}?since=N} the attempt's ledger rows from the N-th on and
 *   its refusal, if one stopped it (the run polls this to stop its agent and to record the rows);</li>
 *   <li>{@code DELETE /ensemble/attempts/{id}} revokes the key and answers the last rows and the
 *   conversation's summary.</li>
 * </ul>
 * Every row is also written to this gateway's own ledger, as any call it serves; {@code store}
 * (a digest of that store's identity) tells the run whether that is its own store, where the rows
 * then already are.
 */
public final class AttemptAdmin {
    static final String PATH = "/ensemble/attempts";
    /** An attempt nobody asked about for this long belongs to a run that is gone: revoked at the next mint. */
    private static final Duration ABANDONED = Duration.ofMinutes(30);

    private final AttemptKeys keys;
    private final Supplier<String> storeId;
    private final Map<String, Remote> attempts = new ConcurrentHashMap<>();

    public AttemptAdmin(AttemptKeys keys, Supplier<String> storeId) {
        this.keys = keys;
        this.storeId = storeId;
    }

    private static final class Remote {
        final List<CallRecord> calls = new ArrayList<>();
        volatile Attempt attempt;
        volatile long lastSeen = System.nanoTime();

        synchronized void add(CallRecord call) {
            calls.add(call);
        }

        synchronized List<CallRecord> from(int since) {
            return since >= calls.size() ? List.of() : List.copyOf(calls.subList(Math.max(0, since), calls.size()));
        }
    }

    void mint(Context ctx, Gatekeeper gatekeeper) {
        if (!operator(ctx, gatekeeper)) return;
        sweep();
        JsonNode body;
        try {
            body = HttpTransport.JSON.readTree(ctx.bodyAsBytes());
        } catch (RuntimeException e) {
            answer(ctx, 400, error("the body is not JSON"));
            return;
        }
        CallContext context = new CallContext(body.path("command").asString("exec"), body.path("run").asString(""),
                body.path("task").asString(""), body.path("role").asString(""), body.path("attempt").asInt(1),
                body.path("fallback_step").asInt(0));
        if (context.runId().isEmpty() || context.taskId().isEmpty()) {
            answer(ctx, 400, error("an attempt needs its run and task"));
            return;
        }
        JsonNode b = body.path("budget");
        CarriedBudget carried = new CarriedBudget(new Budget(limit(b, "daily_usd"), limit(b, "run_usd"), limit(b, "task_usd"), 1.0,
                OptionalDouble.empty()), new Spent(Math.max(0, b.path("spent_today").asDouble(0)),
                Math.max(0, b.path("spent_run").asDouble(0)), Math.max(0, b.path("spent_task").asDouble(0))));
        JsonNode r = body.path("runaway");
        RunawayLimits limits = new RunawayLimits(Math.max(0, r.path("same_tool_call").asInt(RunawayLimits.DEFAULT.sameToolCall())),
                Math.max(0, r.path("no_progress_requests").asInt(RunawayLimits.DEFAULT.noProgressRequests())));
        Remote remote = new Remote();
        JsonNode audit = body.path("audit");
        Optional<ToolCallAuditor> auditor = audit.isObject() && !audit.path("worktree").asString("").isEmpty()
                ? Optional.of(new ToolCallAuditor(java.nio.file.Path.of(audit.path("worktree").asString()),
                        java.nio.file.Path.of(audit.path("home").asString(System.getProperty("user.home")))))
                : Optional.empty();
        remote.attempt = keys.issue(context, refusal -> { }, remote::add, Optional.of(carried), limits, auditor,
                audit.path("block").asBoolean(false));
        attempts.put(remote.attempt.keyId(), remote);
        answer(ctx, 201, HttpTransport.JSON.createObjectNode().put("key_id", remote.attempt.keyId())
                .put("secret", remote.attempt.secret()).put("store", storeId.get()));
    }

    void poll(Context ctx, Gatekeeper gatekeeper) {
        if (!operator(ctx, gatekeeper)) return;
        Remote remote = attempts.get(ctx.pathParam("id"));
        if (remote == null) {
            answer(ctx, 404, error("no such attempt key (revoked, or never made here)"));
            return;
        }
        remote.lastSeen = System.nanoTime();
        answer(ctx, 200, state(remote, ctx.queryParam("since")));
    }

    void revoke(Context ctx, Gatekeeper gatekeeper) {
        if (!operator(ctx, gatekeeper)) return;
        Remote remote = attempts.remove(ctx.pathParam("id"));
        if (remote == null) {
            answer(ctx, 404, error("no such attempt key (revoked, or never made here)"));
            return;
        }
        remote.attempt.close();
        answer(ctx, 200, state(remote, ctx.queryParam("since")).put("conversation_summary", remote.attempt.conversationSummary()));
    }

    private static ObjectNode state(Remote remote, String sinceParam) {
        int since;
        try {
            since = sinceParam == null ? 0 : Math.max(0, Integer.parseInt(sinceParam));
        } catch (NumberFormatException e) {
            since = 0;
        }
        List<CallRecord> calls = remote.from(since);
        ObjectNode state = HttpTransport.JSON.createObjectNode().put("next", since + calls.size());
        calls.forEach(call -> state.withArray("calls").add(CallRecordJson.write(call)));
        if (calls.isEmpty()) state.putArray("calls");
        Optional<Refusal> refusal = remote.attempt.refusal();
        if (refusal.isEmpty()) {
            state.putNull("refusal");
        } else {
            Refusal why = refusal.get();
            state.putObject("refusal").put("reason", why.reason()).put("message", why.message()).put("left_usd", why.leftUsd())
                    .put("input_tokens", why.inputTokens()).put("output_tokens", why.outputTokens());
        }
        return state;
    }

    private void sweep() {
        long now = System.nanoTime();
        attempts.values().removeIf(remote -> {
            boolean gone = now - remote.lastSeen > ABANDONED.toNanos();
            if (gone) remote.attempt.close();
            return gone;
        });
    }

    private static boolean operator(Context ctx, Gatekeeper gatekeeper) {
        Optional<Admission> who = gatekeeper.authenticate(ClientKeys.from(ctx));
        if (who.isPresent() && who.get() instanceof Admission.Allowed allowed && allowed.caller().kind() == Caller.Kind.OPERATOR) return true;
        answer(ctx, 401, error("only the gateway's operator (ENSEMBLE_TOKEN, as Authorization: Bearer) may make attempt keys"));
        return false;
    }

    private static OptionalDouble limit(JsonNode budget, String name) {
        JsonNode value = budget.path(name);
        return value.isNumber() && value.asDouble() >= 0 ? OptionalDouble.of(value.asDouble()) : OptionalDouble.empty();
    }

    private static ObjectNode error(String message) {
        ObjectNode body = HttpTransport.JSON.createObjectNode();
        body.putObject("error").put("message", message);
        return body;
    }

    private static void answer(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(HttpTransport.JSON.writeValueAsBytes(body));
    }
}
