package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.RetrySettings;
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
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's policies that must hold whichever path a request takes: retries before fallback,
 * budgets under concurrency, a key's model list within a chain, spending-limit refusals in the
 * client's own shape, and a row for what a client that left mid-stream had already cost.
 */
class GatewayPolicyTest {
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAMED_CHAT = "{\"model\":\"%s\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGES = "{\"model\":\"%s\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAMED_MESSAGES =
            "{\"model\":\"%s\",\"max_tokens\":4096,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir Path dir;
    private GatewayFixture fx;
    private KeyStore keys;

    @AfterEach
    void close() {
        if (fx != null) fx.close();
        if (keys != null) keys.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HttpTransport.JSON.readTree(response.body());
    }

    @Test
    void bothPathsRetryTheSameModelBeforeFallingBackToTheAliasesNext() throws Exception {
        fx = new GatewayFixture(new RetrySettings(2, Duration.ofMillis(5), Duration.ofMillis(5), 1.0, 0.0, Duration.ofSeconds(5)));
        fx.start();
        for (String[] request : new String[][] {{"/v1/chat/completions", CHAT}, {"/v1/messages", MESSAGES}}) {
            fx.server.clearRequests();
            fx.server.clearRules();
            fx.server.rules(List.of(Rule.fault(new Fault.HttpError(500)).forModel("gpt-a-wire").times(1), Rule.text("answered")));
            HttpResponse<String> answer = fx.post(request[0], request[1].formatted("team"), "anthropic-version", "2023-06-01");
            assertThat(answer.statusCode()).as(request[0] + ": " + answer.body()).isEqualTo(200);
            assertThat(answer.headers().firstValue(ClientResponse.MODEL_HEADER)).as(request[0]).contains("gpt-a");
            assertThat(fx.server.modelCalls()).as(request[0] + ": the same model again, not the alias's next")
                    .extracting(r -> r.model()).containsExactly("gpt-a-wire", "gpt-a-wire");
        }
        assertThat(fx.ledger).extracting(r -> r.modelId() + " " + r.outcome() + " " + r.context().attempt())
                .containsExactly("gpt-a ERROR 1", "gpt-a OK 2", "gpt-a ERROR 1", "gpt-a OK 2");
    }

    @Test
    void aKeysModelListSkipsTheModelsOfAChainItDoesNotAllow() throws Exception {
        fx = new GatewayFixture();
        keys = KeyStore.open(dir.resolve("keys.db"), Clock.systemUTC());
        fx.server.rule(Rule.text("answered"));
        fx.start(fx.options().withGatekeeper(new VirtualKeys(keys, fx.catalog, Clock.systemUTC(), "run", line -> { }), true));
        NewKey narrow = keys.create("narrow", Optional.empty(), List.of("gpt-b"), 0, Optional.empty());

        HttpResponse<String> chain = fx.post("/v1/chat/completions", CHAT.formatted("team"), "Authorization", "Bearer " + narrow.secret());
        assertThat(chain.statusCode()).as(chain.body()).isEqualTo(200);
        assertThat(chain.headers().firstValue(ClientResponse.MODEL_HEADER)).contains("gpt-b");
        assertThat(fx.server.modelCalls()).extracting(r -> r.model()).containsExactly("gpt-b-wire");

        HttpResponse<String> none = fx.post("/v1/chat/completions", CHAT.formatted("mixed"), "Authorization", "Bearer " + narrow.secret());
        assertThat(none.statusCode()).as("gpt-b is the allowed model of mixed").isEqualTo(200);
        HttpResponse<String> refused = fx.post("/v1/messages", MESSAGES.formatted("claude-a"), "x-api-key", narrow.secret(),
                "anthropic-version", "2023-06-01");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).path("error").path("message").asString()).contains("may not use claude-a; it may use gpt-b");
        assertThat(fx.server.modelCalls()).hasSize(2);
    }

    @Test
    void concurrentRequestsCannotAllPassAKeysBudgetThatOnlyTwoFit() throws Exception {
        fx = new GatewayFixture();
        keys = KeyStore.open(dir.resolve("keys.db"), Clock.systemUTC());
        // Each request is held upstream long enough for the others to arrive while it is in flight.
        fx.server.rule(Rule.text("answered").withFault(new Fault.Stall(Duration.ofMillis(700))));
        fx.start(fx.options().withGatekeeper(new VirtualKeys(keys, fx.catalog, Clock.systemUTC(), "run", line -> { }), true));
        double worst = BudgetGuard.worstCaseUsd(fx.catalog.model("gpt-a").orElseThrow(), dev.ensemble.llm.ChatRequest.of(new dev.ensemble.llm.ChatMessage.User("hi")));
        NewKey key = keys.create("tiny", Optional.of(new KeyBudget(worst * 2.5, BudgetPeriod.DAY)), List.of(), 0, Optional.empty());

        List<HttpResponse<String>> answers = concurrently(16, () -> fx.post("/v1/chat/completions", CHAT.formatted("gpt-a"),
                "Authorization", "Bearer " + key.secret()));

        assertThat(fx.server.maxConcurrentRequests()).as("at most the budget's worth in flight at once").isLessThanOrEqualTo(2);
        assertThat(fx.ledger.stream().mapToDouble(CallRecord::costUsd).sum()).isLessThanOrEqualTo(worst * 2.5);
        List<HttpResponse<String>> refused = answers.stream().filter(a -> a.statusCode() == 429).toList();
        assertThat(refused).isNotEmpty().allSatisfy(a -> {
            assertThat(json(a).path("error").path("type").asString()).isEqualTo("insufficient_quota");
            assertThat(json(a).path("error").path("code").asString()).isEqualTo("insufficient_quota");
            assertThat(a.headers().firstValue("x-should-retry")).contains("false");
        });
        assertThat(answers.stream().filter(a -> a.statusCode() == 200).count()).isEqualTo(fx.server.modelCalls().size());
    }

    @Test
    void concurrentRequestsCannotAllPassTheDailyBudget() throws Exception {
        fx = new GatewayFixture();
        fx.server.rule(Rule.text("answered").withFault(new Fault.Stall(Duration.ofMillis(700))));
        double worst = BudgetGuard.worstCaseUsd(fx.catalog.model("gpt-b").orElseThrow(), dev.ensemble.llm.ChatRequest.of(new dev.ensemble.llm.ChatMessage.User("hi")));
        Budget daily = new Budget(OptionalDouble.of(worst * 1.5), OptionalDouble.empty(), OptionalDouble.empty(), 0.99, OptionalDouble.empty());
        BudgetGuard guard = new BudgetGuard(daily, context -> new Spent(fx.ledger.stream().mapToDouble(CallRecord::costUsd).sum(), 0, 0),
                line -> { });
        fx.start(fx.options().withGatekeeper(new BudgetGatekeeper(guard, fx.catalog), false));

        List<HttpResponse<String>> answers = concurrently(12, () -> fx.post("/v1/messages", MESSAGES.formatted("gpt-b"),
                "anthropic-version", "2023-06-01"));

        assertThat(fx.server.maxConcurrentRequests()).isEqualTo(1);
        assertThat(answers).filteredOn(a -> a.statusCode() == 429).isNotEmpty().allSatisfy(a ->
                assertThat(json(a).path("error").path("message").asString()).startsWith("daily budget:"));
        assertThat(fx.ledger.stream().mapToDouble(CallRecord::costUsd).sum()).isLessThanOrEqualTo(worst * 1.5);
    }

    @Test
    void aClientThatLeavesMidStreamLeavesARowOfWhatWasSpent() throws Exception {
        fx = new GatewayFixture();
        String words = "word ".repeat(400);
        fx.server.rule(Rule.text(words).withChunkDelay(Duration.ofMillis(15)));
        GatewayServer gateway = fx.start();
        // translated (Anthropic client, OpenAI-wire model), then byte for byte (OpenAI client, same wire)
        leaveMidStream(gateway, "/v1/messages", STREAMED_MESSAGES.formatted("gpt-a"), "content_block_delta");
        leaveMidStream(gateway, "/v1/chat/completions", STREAMED_CHAT.formatted("gpt-b"), "\"content\":\"word");

        CallRecord translated = awaitRow("gpt-a");
        CallRecord forwarded = awaitRow("gpt-b");
        for (CallRecord row : List.of(translated, forwarded)) {
            assertThat(row.outcome()).isEqualTo(CallRecord.Outcome.ERROR);
            assertThat(row.errorKind()).isEqualTo(CallRecord.CLIENT_GONE);
            assertThat(row.usage().inputTokens()).isPositive();
            assertThat(row.costUsd()).as("the provider had begun answering: billed").isPositive();
        }
        assertThat(translated.usage().outputTokens()).as("the words relayed before the client left").isPositive();
        assertThat(fx.settled).extracting(CallRecord::errorKind).contains(CallRecord.CLIENT_GONE, CallRecord.CLIENT_GONE);
    }

    /** Sends {@code body} on a raw socket, reads until {@code marker} has arrived, and closes the connection. */
    private static void leaveMidStream(GatewayServer gateway, String path, String body, String marker) throws Exception {
        URI uri = URI.create(gateway.baseUrl());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "anthropic-version: 2023-06-01\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[1024];
            int n;
            while (!seen.toString().contains(marker) && (n = in.read(buffer)) > 0) seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            assertThat(seen.toString()).contains(marker);
        }
    }

    private CallRecord awaitRow(String model) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            Optional<CallRecord> row = fx.ledger.stream().filter(r -> r.modelId().equals(model)).findFirst();
            if (row.isPresent()) return row.get();
            Thread.sleep(25);
        }
        throw new AssertionError("no ledger row for " + model + " after the client left; rows: " + fx.ledger);
    }

    private static List<HttpResponse<String>> concurrently(int n, Callable<HttpResponse<String>> request) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) futures.add(pool.submit(request));
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) answers.add(f.get());
            return answers;
        }
    }
}
