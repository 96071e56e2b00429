package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.attempt.AttemptKeys;
import dev.ensemble.gateway.attempt.IssuedAttempt;
import dev.ensemble.gateway.attempt.Refusal;
import dev.ensemble.gateway.attempt.RemoteAttempts;
import dev.ensemble.gateway.attempt.RunawayLimits;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.testkit.Rule;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run in another process uses a running gateway: it mints its attempt's key there with the
 * operator token (carrying run, task, attempt and the run's budget), sees each call as it happens
 * (for its own ledger and events), is told of a refusal so it can stop its agent, and revokes the key.
 */
class RemoteAttemptsTest {
    private static final String TOKEN = "operator-token-remote-61f0c2";
    private static final String MESSAGES = "{\"model\":\"gpt-a\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
    private static final CallContext CONTEXT = new CallContext("agent:claude", "run-9", "write", "", 2, 1);

    private final GatewayFixture fx = new GatewayFixture();
    private final List<CallRecord> runLedger = new CopyOnWriteArrayList<>();
    private GatewayServer gateway;

    @BeforeEach
    void start() {
        fx.server.rule(Rule.text("answered"));
        AttemptKeys keys = new AttemptKeys(fx.catalog, Budget.DEFAULT, context -> Spent.NOTHING, RunawayLimits.DEFAULT);
        Gatekeeper door = Gatekeeper.first(List.of(new OperatorToken(TOKEN), keys));
        gateway = GatewayServer.start(fx.options().withGatekeeper(door, true).withAttemptAdmin(Optional.of(new AttemptAdmin(keys, () -> "gateway-store"))));
    }

    @AfterEach
    void close() {
        gateway.close();
        fx.close();
    }

    private RemoteAttempts remote(String token, Budget budget, Spent spent, String ownStore) {
        return new RemoteAttempts(URI.create(gateway.baseUrl()), token, budget, context -> spent, RunawayLimits.DEFAULT, ownStore,
                runLedger::add, Duration.ofMillis(50));
    }

    private HttpResponse<String> ask(String secret, String text) throws Exception {
        return fx.client.send(java.net.http.HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
                .header("x-api-key", secret).header("anthropic-version", "2023-06-01")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(MESSAGES.formatted(text))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAttemptKeyMintedOnARunningGatewayCarriesItsAttributionAndItsCallsComeBackToTheRun() throws Exception {
        List<CallRecord> events = new CopyOnWriteArrayList<>();
        RemoteAttempts remote = remote(TOKEN, Budget.DEFAULT, Spent.NOTHING, "the run's own store");
        assertThat(remote.problem()).isEmpty();
        String secret;
        try (IssuedAttempt attempt = remote.issue(CONTEXT, refusal -> { }, events::add)) {
            secret = attempt.secret();
            assertThat(secret).startsWith(AttemptKeys.PREFIX);
            assertThat(ask(secret, "one").statusCode()).isEqualTo(200);
            assertThat(ask(secret, "two").statusCode()).isEqualTo(200);
            for (int i = 0; i < 200 && events.size() < 2; i++) Thread.sleep(25);
            assertThat(events).as("seen as they happen, before the key is revoked").hasSize(2);
            assertThat(attempt.calls()).isEqualTo(2);
            assertThat(attempt.costUsd()).isPositive();
        }
        assertThat(fx.ledger).as("the gateway's own ledger").hasSize(2).allSatisfy(row -> {
            assertThat(row.context().runId()).isEqualTo("run-9");
            assertThat(row.context().taskId()).isEqualTo("write");
            assertThat(row.context().attempt()).isEqualTo(2);
            assertThat(row.context().fallbackStep()).isEqualTo(1);
            assertThat(row.context().command()).isEqualTo("agent:claude");
        });
        assertThat(runLedger).as("another store: the run's ledger gets the same rows").hasSize(2)
                .extracting(r -> r.context().runId() + "/" + r.context().taskId() + "#" + r.context().attempt() + " " + r.modelId())
                .containsOnly("run-9/write#2 gpt-a");
        assertThat(runLedger.stream().mapToDouble(CallRecord::costUsd).sum())
                .isEqualTo(fx.ledger.stream().mapToDouble(CallRecord::costUsd).sum());
        assertThat(ask(secret, "after").statusCode()).as("revoked when the attempt ended").isEqualTo(401);
        assertThat(fx.server.modelCalls()).hasSize(2);
    }

    @Test
    void theRunsTaskBudgetHoldsOnTheRunningGatewayAndTheRunIsToldToStopItsAgent() throws Exception {
        Budget task = new Budget(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(0.01), 0.99, OptionalDouble.empty());
        List<Refusal> told = new CopyOnWriteArrayList<>();
        // The run's ledger says the task has already spent nearly all of it.
        try (IssuedAttempt attempt = remote(TOKEN, task, new Spent(0, 0.009, 0.009), "gateway-store").issue(CONTEXT, told::add, r -> { })) {
            HttpResponse<String> refused = ask(attempt.secret(), "one");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("task budget");
            for (int i = 0; i < 200 && told.isEmpty(); i++) Thread.sleep(25);
            assertThat(told).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("task budget"));
            assertThat(attempt.refusal()).isPresent();
        }
        assertThat(fx.server.modelCalls()).as("nothing over budget sent").isEmpty();
        assertThat(runLedger).as("the same store: nothing copied").isEmpty();
    }

    @Test
    void onlyTheOperatorMintsKeysAndAGatewayThatIsNotThereIsSaidPlainly() throws Exception {
        assertThat(remote("not-the-token", Budget.DEFAULT, Spent.NOTHING, "x").problem()).get().asString()
                .contains("does not take this ENSEMBLE_TOKEN");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RemoteAttempts nowhere = new RemoteAttempts(URI.create("http://127.0.0.1:" + port), TOKEN, Budget.DEFAULT, c -> Spent.NOTHING,
                RunawayLimits.DEFAULT, "x", runLedger::add, Duration.ofMillis(50));
        assertThat(nowhere.problem()).get().asString().contains("does not answer").doesNotContain(TOKEN);
        HttpResponse<String> stranger = fx.client.send(java.net.http.HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/ensemble/attempts"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"run\":\"r\",\"task\":\"t\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stranger.statusCode()).isEqualTo(401);
    }
}
