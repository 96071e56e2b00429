package dev.ensemble.gateway.attempt;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.SpendSource;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Attempt keys minted on a running {@code ensemble gateway} ({@code gateway.url}) with the
 * operator's token: the run's side of {@code AttemptAdmin}. Each key carries the attempt's run,
 * task and attempt, the run's budgets with what its ledger says was spent, and its runaway limits.
 * While the attempt runs its state is polled: each new ledger row goes to the run's own ledger
 * (unless the gateway writes to the same store, where it already is) and to the attempt's
 * listener; a refusal stops the agent. Closing revokes the key and collects the last rows.
 */
public final class RemoteAttempts implements AttemptIssuer {
    private final URI base;
    private final String token;
    private final Budget budget;
    private final SpendSource spend;
    private final RunawayLimits runaway;
    private final String ownStore;
    private final CallObserver ledger;
    private final Duration pollEvery;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param ownStore the digest of the run's store identity ({@link #storeId}); rows are copied to
     *                 {@code ledger} only when the gateway's store is another
     */
    public RemoteAttempts(URI base, String token, Budget budget, SpendSource spend, RunawayLimits runaway, String ownStore,
                          CallObserver ledger, Duration pollEvery) {
        this.base = Objects.requireNonNull(base, "base");
        this.token = Objects.requireNonNull(token, "token");
        Redactor.global().register(token);
        this.budget = budget;
        this.spend = spend;
        this.runaway = runaway;
        this.ownStore = ownStore;
        this.ledger = ledger;
        this.pollEvery = pollEvery;
    }

    /** A store's identity ("sqlite: /repo/.ensemble/ensemble.db", a JDBC URL) as both sides compare it: a digest. */
    public static String storeId(String description) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(description.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why this gateway cannot be used (not answering, not an ensemble gateway, not this token's), or empty. */
    public Optional<String> problem() {
        try {
            HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/ensemble/attempts/att-probe")).GET());
            return switch (answer.statusCode()) {
                case 404 -> answer.body().contains("attempt key") ? Optional.empty()
                        : Optional.of("gateway.url " + base + " is not an ensemble gateway that makes attempt keys");
                case 401 -> Optional.of("the gateway at " + base + " does not take this ENSEMBLE_TOKEN as its operator's");
                default -> Optional.of("the gateway at " + base + " answered " + answer.statusCode() + " to an attempt-key request");
            };
        } catch (IOException e) {
            return Optional.of("the gateway at " + base + " does not answer (" + (e instanceof ConnectException ? "connection refused"
                    : Redactor.global().redact(String.valueOf(e.getMessage()))) + "); start `ensemble gateway` there or remove gateway.url");
        }
    }

    @Override
    public IssuedAttempt issue(CallContext context, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall,
                               Optional<ToolCallAuditor> auditor, boolean block) {
        Spent spent = spend.spent(context);
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("command", context.command()).put("run", context.runId())
                .put("task", context.taskId()).put("role", context.role()).put("attempt", context.attempt())
                .put("fallback_step", context.fallbackStep());
        ObjectNode b = body.putObject("budget");
        put(b, "daily_usd", budget.dailyUsd());
        put(b, "run_usd", budget.runUsd());
        put(b, "task_usd", budget.taskUsd());
        b.put("spent_today", spent.todayUsd()).put("spent_run", spent.runUsd()).put("spent_task", spent.taskUsd());
        body.putObject("runaway").put("same_tool_call", runaway.sameToolCall()).put("no_progress_requests", runaway.noProgressRequests());
        // The running gateway audits the attempt's answers as this process's would (it must share the file system to mean anything).
        auditor.ifPresent(a -> body.putObject("audit").put("worktree", a.worktree().toString()).put("home", a.home().toString())
                .put("block", block));
        JsonNode minted = call(HttpRequest.newBuilder(uri("/ensemble/attempts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(HttpTransport.JSON.writeValueAsBytes(body))), 201);
        String secret = minted.path("secret").asString();
        Redactor.global().register(secret);
        boolean sameStore = ownStore.equals(minted.path("store").asString(""));
        return new Remote(minted.path("key_id").asString(), secret, sameStore, onRefusal, onCall);
    }

    private static void put(ObjectNode node, String name, OptionalDouble value) {
        if (value.isPresent()) node.put(name, value.getAsDouble());
        else node.putNull(name);
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/+$", "") + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return client.send(request.timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private JsonNode call(HttpRequest.Builder request, int expected) {
        try {
            HttpResponse<String> answer = send(request);
            if (answer.statusCode() != expected) {
                throw new IllegalStateException("the gateway at " + base + " answered " + answer.statusCode() + ": "
                        + Redactor.global().redact(answer.body()));
            }
            return HttpTransport.JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException("the gateway at " + base + " does not answer: " + Redactor.global().redact(String.valueOf(e.getMessage())), e);
        }
    }

    /** One attempt's key on the running gateway, polled while it lives. */
    private final class Remote implements IssuedAttempt {
        private final String keyId;
        private final String secret;
        private final boolean sameStore;
        private final Consumer<Refusal> onRefusal;
        private final Consumer<CallRecord> onCall;
        private final AtomicReference<Refusal> refusal = new AtomicReference<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread poller;
        private int next;
        private Usage usage = Usage.ZERO;
        private double cost;
        private int calls;
        private String summary = "";

        Remote(String keyId, String secret, boolean sameStore, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall) {
            this.keyId = keyId;
            this.secret = secret;
            this.sameStore = sameStore;
            this.onRefusal = onRefusal;
            this.onCall = onCall;
            this.poller = Thread.ofVirtual().name("gateway-attempt-" + keyId).start(this::pollUntilClosed);
        }

        private void pollUntilClosed() {
            while (!closed.get()) {
                try {
                    Thread.sleep(pollEvery);
                    absorb(call(HttpRequest.newBuilder(uri("/ensemble/attempts/" + keyId + "?since=" + next)).GET(), 200));
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A missed poll is made up by the next one (rows are asked for from the last one seen).
                }
            }
        }

        private synchronized void absorb(JsonNode state) {
            int from = next;
            int upTo = state.path("next").asInt(from);
            JsonNode rows = state.path("calls");
            for (int i = 0; i < rows.size() && from + i < upTo; i++) {
                if (from + i < next) continue;
                CallRecord row = CallRecordJson.read(rows.get(i));
                next = from + i + 1;
                usage = usage.plus(row.usage());
                cost += row.costUsd();
                calls++;
                if (!sameStore) ledger.onCall(row);
                try {
                    onCall.accept(row);
                } catch (RuntimeException ignored) {
                    // The listener's failure must not lose the next rows.
                }
            }
            JsonNode why = state.path("refusal");
            if (why.isObject() && refusal.compareAndSet(null, new Refusal(why.path("reason").asString(""), why.path("message").asString(""),
                    why.path("left_usd").asDouble(0), why.path("input_tokens").asLong(0), why.path("output_tokens").asLong(0)))) {
                onRefusal.accept(refusal.get());
            }
            if (state.has("conversation_summary")) summary = state.path("conversation_summary").asString("");
        }

        @Override public String keyId() { return keyId; }
        @Override public String secret() { return secret; }
        @Override public Optional<Refusal> refusal() { return Optional.ofNullable(refusal.get()); }
        @Override public synchronized Usage usage() { return usage; }
        @Override public synchronized double costUsd() { return cost; }
        @Override public synchronized int calls() { return calls; }
        @Override public synchronized String conversationSummary() { return summary; }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            poller.interrupt();
            try {
                poller.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int since;
            synchronized (this) {
                since = next;
            }
            try {
                absorb(call(HttpRequest.newBuilder(uri("/ensemble/attempts/" + keyId + "?since=" + since)).DELETE(), 200));
            } catch (RuntimeException e) {
                // The key could not be revoked now; the gateway revokes keys nobody asks about (AttemptAdmin).
            }
        }
    }
}
