package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.keys.BudgetGatekeeper;
import dev.ensemble.gateway.keys.BudgetPeriod;
import dev.ensemble.gateway.keys.KeyBudget;
import dev.ensemble.gateway.keys.KeyStore;
import dev.ensemble.gateway.keys.NewKey;
import dev.ensemble.gateway.keys.VirtualKeys;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.SpendSource;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Virtual keys and budgets in front of a real gateway and a scripted upstream: refusals reach the
 * client in its own wire's error shape with nothing sent upstream, and every call that is sent
 * lands in the ledger with its key's public id and the client's wire, and in the key's spend.
 */
class KeysThroughTheGatewayTest {
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGES = "{\"model\":\"%s\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir Path dir;
    private final GatewayFixture fx = new GatewayFixture();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private KeyStore keys;
    private Spent spentToday = Spent.NOTHING;

    @BeforeEach
    void openKeys() {
        keys = KeyStore.open(dir.resolve("keys.db"), Clock.systemUTC());
        fx.server.rule(Rule.text("answered"));
        Budget daily = new Budget(OptionalDouble.of(1.0), OptionalDouble.empty(), OptionalDouble.empty(), 0.99, OptionalDouble.empty());
        SpendSource spend = context -> spentToday;
        Gatekeeper door = Gatekeeper.first(List.of(
                new VirtualKeys(keys, fx.catalog, Clock.systemUTC(), "run-test", warnings::add),
                new BudgetGatekeeper(new BudgetGuard(daily, spend, warnings::add), fx.catalog)));
        fx.start(fx.options().withGatekeeper(door, true));
    }

    @AfterEach
    void close() {
        fx.close();
        keys.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HttpTransport.JSON.readTree(response.body());
    }

    @Test
    void aKeyOverItsBudgetGets429InTheClientsWireAndNothingIsSent() throws Exception {
        NewKey key = keys.create("capped", Optional.of(new KeyBudget(0.01, BudgetPeriod.DAY)), List.of(), 0, Optional.empty());
        keys.addSpend(key.key().id(), List.of(BudgetPeriod.DAY.bucket(Instant.now(), ""), "total"), 0.009);

        HttpResponse<String> openai = fx.post("/v1/chat/completions", CHAT.formatted("gpt-a"), "Authorization", "Bearer " + key.secret());
        assertThat(openai.statusCode()).isEqualTo(429);
        // OpenAI's own shape for a spending limit, which its SDK is told not to retry.
        assertThat(json(openai).path("error").path("type").asString()).isEqualTo("insufficient_quota");
        assertThat(json(openai).path("error").path("code").asString()).isEqualTo("insufficient_quota");
        assertThat(openai.headers().firstValue("x-should-retry")).contains("false");
        assertThat(json(openai).path("error").path("message").asString())
                .startsWith("key budget: $0.001 left of $0.01 per day (key capped (" + key.key().id() + "));")
                .contains("this call to gpt-a could cost up to");

        HttpResponse<String> anthropic = fx.post("/v1/messages", MESSAGES.formatted("claude-a"), "x-api-key", key.secret(),
                "anthropic-version", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(429);
        assertThat(json(anthropic).path("type").asString()).isEqualTo("error");
        assertThat(json(anthropic).path("error").path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(json(anthropic).path("error").path("message").asString()).startsWith("key budget: $0.001 left of $0.01 per day");

        assertThat(openai.body() + anthropic.body()).doesNotContain(key.secret());
        assertThat(fx.server.modelCalls()).as("nothing over budget goes upstream").isEmpty();
        assertThat(fx.ledger).isEmpty();
    }

    @Test
    void everyCallIsInTheLedgerWithItsKeyAndClientWireAndCountsAgainstTheKey() throws Exception {
        NewKey key = keys.create("ci-bot", Optional.of(new KeyBudget(5, BudgetPeriod.DAY)), List.of(), 0, Optional.empty());
        HttpResponse<String> same = fx.post("/v1/chat/completions", CHAT.formatted("gpt-a"), "Authorization", "Bearer " + key.secret());
        HttpResponse<String> translated = fx.post("/v1/messages", MESSAGES.formatted("gpt-b"), "x-api-key", key.secret(),
                "anthropic-version", "2023-06-01");
        assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
        assertThat(translated.statusCode()).as(translated.body()).isEqualTo(200);

        assertThat(fx.ledger).hasSize(2).allSatisfy(row -> {
            assertThat(row.context().keyId()).isEqualTo(key.key().id());
            assertThat(row.context().command()).isEqualTo("gateway");
            assertThat(row.outcome()).isEqualTo(CallRecord.Outcome.OK);
            assertThat(row.costUsd()).isPositive();
            assertThat(row.toString()).doesNotContain(key.secret());
        });
        assertThat(fx.ledger).extracting(r -> r.modelId() + " " + r.context().clientWire())
                .containsExactlyInAnyOrder("gpt-a openai-chat", "gpt-b anthropic");
        double cost = fx.ledger.stream().mapToDouble(CallRecord::costUsd).sum();
        assertThat(keys.spent(key.key().id(), "total")).isCloseTo(cost, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(keys.spent(key.key().id(), BudgetPeriod.DAY.bucket(Instant.now(), ""))).isCloseTo(cost, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(warnings).isEmpty();
    }

    @Test
    void unknownRevokedAndNarrowKeysAreRefusedInTheClientsWire() throws Exception {
        String unknown = "ens-vk-" + "Q".repeat(43);
        HttpResponse<String> nobody = fx.post("/v1/chat/completions", CHAT.formatted("gpt-a"), "Authorization", "Bearer " + unknown);
        assertThat(nobody.statusCode()).isEqualTo(401);
        assertThat(json(nobody).path("error").path("code").asString()).isEqualTo("invalid_api_key");
        assertThat(nobody.body()).doesNotContain("QQQQ");

        NewKey narrow = keys.create("narrow", Optional.empty(), List.of("gpt-b"), 0, Optional.empty());
        HttpResponse<String> forbidden = fx.post("/v1/messages", MESSAGES.formatted("claude-a"), "x-api-key", narrow.secret(),
                "anthropic-version", "2023-06-01");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).path("error").path("type").asString()).isEqualTo("permission_error");
        assertThat(json(forbidden).path("error").path("message").asString()).contains("may not use claude-a; it may use gpt-b");

        keys.revoke("narrow");
        HttpResponse<String> revoked = fx.post("/v1/chat/completions", CHAT.formatted("gpt-b"), "Authorization", "Bearer " + narrow.secret());
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(json(revoked).path("error").path("message").asString()).contains("was revoked at");
        assertThat(fx.server.modelCalls()).isEmpty();
    }

    @Test
    void theDailyBudgetRefusesAnyCallerSayingWhatIsLeft() throws Exception {
        NewKey key = keys.create("roomy", Optional.empty(), List.of(), 0, Optional.empty());
        spentToday = new Spent(0.995, 0, 0);
        HttpResponse<String> refused = fx.post("/v1/messages", MESSAGES.formatted("gpt-a"), "x-api-key", key.secret(),
                "anthropic-version", "2023-06-01");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).path("error").path("message").asString())
                .startsWith("daily budget: $0.005 left of $1.00; this call to gpt-a could cost up to")
                .contains("raise budget.daily_usd");
        assertThat(fx.server.modelCalls()).isEmpty();
    }
}
