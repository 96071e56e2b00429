package dev.ensemble.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.llm.CallRecord;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's routing, pass-through, fallback, keys and limits, against a real scripted upstream. */
class GatewayServerTest {
    private final GatewayFixture fx = new GatewayFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private List<RecordedRequest> upstream(String wireModel) {
        return fx.server.modelCalls().stream().filter(r -> r.model().equals(wireModel)).toList();
    }

    @Test
    void sameWireGoesByteForByteWithOnlyModelAndKeyChanged() throws Exception {
        fx.server.rule(Rule.text("hello from upstream"));
        fx.start();
        String body = "{ \"model\" : \"gpt-a\",\n  \"messages\": [{\"role\":\"user\",\"content\":\"hi \\u00e9\"}],"
                + " \"x_vendor_extension\": {\"keep\": [1, 2.50, true]}, \"temperature\":0.30 }";
        HttpResponse<String> response = fx.post("/v1/chat/completions", body, "Authorization", "Bearer client-side-key");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ensemble-model")).contains("gpt-a");
        assertThat(response.body()).contains("hello from upstream");
        RecordedRequest sent = upstream("gpt-a-wire").getFirst();
        assertThat(sent.body()).isEqualTo(body.replace("\"gpt-a\"", "\"gpt-a-wire\""));
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + GatewayFixture.OA_KEY);
        assertThat(fx.ledger).singleElement().satisfies(r -> {
            assertThat(r.modelId()).isEqualTo("gpt-a");
            assertThat(r.outcome()).isEqualTo(CallRecord.Outcome.OK);
            assertThat(r.usage().totalTokens()).isPositive();
        });
        assertThat(fx.settled).hasSize(1);
    }

    @Test
    void anthropicStreamPassesThroughWithBetasAndCacheMarkers() throws Exception {
        fx.server.rule(Rule.text("streamed answer"));
        fx.start();
        String body = "{\"model\":\"claude-a\",\"max_tokens\":100,\"stream\":true,\"system\":[{\"type\":\"text\",\"text\":\"sys\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> response = fx.post("/v1/messages", body, "x-api-key", "client-key",
                "anthropic-version", "2023-06-01", "anthropic-beta", "prompt-caching-2024-07-31,made-up-2099");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).contains("message_start", "streamed", "message_stop");
        RecordedRequest sent = upstream("claude-a-wire").getFirst();
        assertThat(sent.body()).isEqualTo(body.replace("\"claude-a\"", "\"claude-a-wire\""));
        assertThat(sent.header("x-api-key")).isEqualTo(GatewayFixture.AN_KEY);
        assertThat(sent.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31,made-up-2099");
    }

    @Test
    void otherWiresAreTranslatedPlainAndStreamed() throws Exception {
        fx.server.rule(Rule.text("translated answer"));
        fx.start();
        HttpResponse<String> plain = fx.post("/v1/chat/completions",
                "{\"model\":\"claude-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("x-ensemble-model")).contains("claude-a");
        assertThat(plain.body()).contains("\"choices\"", "translated answer");
        assertThat(upstream("claude-a-wire").getFirst().path()).isEqualTo("/v1/messages");

        HttpResponse<String> streamed = fx.post("/v1/chat/completions",
                "{\"model\":\"claude-a\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("chat.completion.chunk", "translated", "[DONE]");

        // An Anthropic client on a model of another wire: its unknown beta is dropped, never a 400.
        HttpResponse<String> anthropic = fx.post("/v1/messages",
                "{\"model\":\"gpt-a\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "anthropic-version", "2023-06-01", "anthropic-beta", "made-up-2099");
        assertThat(anthropic.statusCode()).isEqualTo(200);
        assertThat(anthropic.body()).contains("message_start", "content_block_delta", "message_stop");
        assertThat(upstream("gpt-a-wire").getFirst().header("anthropic-beta")).isNull();
    }

    @Test
    void responsesAndGeminiClientsAreServedBothWays() throws Exception {
        fx.server.rule(Rule.text("every wire answers"));
        fx.start();
        // Responses in, Anthropic out (translated), streamed.
        HttpResponse<String> responses = fx.post("/v1/responses",
                "{\"model\":\"claude-a\",\"stream\":true,\"input\":\"hi\"}", "Authorization", "Bearer x");
        assertThat(responses.statusCode()).isEqualTo(200);
        assertThat(responses.body()).contains("response.output_text.delta", "every", "response.completed");
        // Responses in, Responses out: byte for byte.
        String body = "{\"model\":\"resp-a\",\"input\":\"hi\",\"store\":false,\"x_new_field\":1}";
        HttpResponse<String> same = fx.post("/v1/responses", body);
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(upstream("resp-a-wire").getFirst().body()).isEqualTo(body.replace("\"resp-a\"", "\"resp-a-wire\""));
        // Gemini in, OpenAI chat out (translated), and Gemini in, Gemini out with the key from ?key=.
        String contents = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
        HttpResponse<String> gemini = fx.post("/v1beta/models/gpt-a:streamGenerateContent?alt=sse", contents);
        assertThat(gemini.statusCode()).isEqualTo(200);
        assertThat(gemini.headers().firstValue("x-ensemble-model")).contains("gpt-a");
        assertThat(gemini.body()).contains("data:", "every", "finishReason");
        HttpResponse<String> geminiSame = fx.post("/v1beta/models/gemini-a:generateContent?key=client-key", contents);
        assertThat(geminiSame.statusCode()).isEqualTo(200);
        RecordedRequest sent = upstream("gemini-a-wire").getFirst();
        assertThat(sent.body()).isEqualTo(contents);
        assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-a-wire:generateContent");
        assertThat(sent.header("x-goog-api-key")).isEqualTo(GatewayFixture.GE_KEY);
        assertThat(sent.query()).isNull();
    }

    @Test
    void toolCallsTranslateAcrossWires() throws Exception {
        fx.server.rule(Rule.answer(new Reply.ToolCall("Write", "{\"path\":\"a.txt\"}")).whenTools(true));
        fx.start();
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"Write\",\"description\":\"write a file\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}}]";
        HttpResponse<String> streamed = fx.post("/v1/chat/completions",
                "{\"model\":\"claude-a\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"write it\"}]," + tools + "}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("tool_calls", "Write", "a.txt");
        assertThat(upstream("claude-a-wire").getFirst().body()).contains("input_schema");
    }

    @Test
    void aliasFallsOverBeforeTheFirstByteAndHonoursRetryAfter() throws Exception {
        fx.server.rule(Rule.fault(new Fault.RateLimited(30)).forModel("gpt-a-wire").times(1));
        fx.server.rule(Rule.text("from the second model"));
        fx.start();
        String body = "{\"model\":\"team\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> first = fx.post("/v1/chat/completions", body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ensemble-model")).contains("gpt-b");
        assertThat(first.body()).contains("second").doesNotContain("error");
        assertThat(fx.settled).extracting(CallRecord::outcome).containsExactly(CallRecord.Outcome.ERROR, CallRecord.Outcome.OK);

        // gpt-a asked for 30 s of quiet: the next request goes straight to gpt-b.
        HttpResponse<String> second = fx.post("/v1/chat/completions", body);
        assertThat(second.headers().firstValue("x-ensemble-model")).contains("gpt-b");
        assertThat(upstream("gpt-a-wire")).hasSize(1);
    }

    @Test
    void serverErrorsAndResetsFallOverInvisiblyOnTheTranslatedPath() throws Exception {
        for (Fault fault : List.of(new Fault.HttpError(500), new Fault.Reset())) {
            fx.server.clearRules();
            fx.server.rule(Rule.fault(fault).forModel("claude-a-wire").times(1));
            fx.server.rule(Rule.text("backup answer"));
            if (fx.settled.isEmpty()) fx.start();
            HttpResponse<String> response = fx.post("/v1/chat/completions",
                    "{\"model\":\"mixed\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(response.statusCode()).as(fault.toString()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-ensemble-model")).contains("gpt-b");
            assertThat(response.body()).contains("backup").doesNotContain("error");
        }
    }

    @Test
    void aCutAfterTheFirstByteIsTheWiresErrorEvent() throws Exception {
        fx.server.rule(Rule.text("one two three four five six seven eight").withFault(new Fault.Cut(2)));
        fx.start();
        HttpResponse<String> same = fx.post("/v1/chat/completions",
                "{\"model\":\"team\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(same.headers().firstValue("x-ensemble-model")).contains("gpt-a");
        assertThat(same.body()).contains("\"error\"").doesNotContain("eight");
        assertThat(upstream("gpt-b-wire")).isEmpty();

        HttpResponse<String> translated = fx.post("/v1/messages",
                "{\"model\":\"gpt-a\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(translated.statusCode()).isEqualTo(200);
        assertThat(translated.body()).contains("event: error").doesNotContain("eight");
    }

    @Test
    void aProviderThatFallsSilentMidStreamEndsInATimeoutEvent() throws Exception {
        fx.server.rule(Rule.text("one two three four five").withFault(new Fault.StallMidStream(2, Duration.ofSeconds(30))));
        fx.start();
        HttpResponse<String> response = fx.post("/v1/chat/completions",
                "{\"model\":\"gpt-a\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"error\"", "idle timeout").doesNotContain("five");
        assertThat(fx.ledger).singleElement().satisfies(r -> assertThat(r.errorKind()).isEqualTo("TIMEOUT"));
    }

    @Test
    void aProviderSilentBeforeItsFirstByteIsReplacedByTheNextModel() throws Exception {
        fx.server.rule(Rule.fault(new Fault.Stall(Duration.ofSeconds(30))).forModel("gpt-a-wire"));
        fx.server.rule(Rule.text("the patient one"));
        fx.start();
        HttpResponse<String> response = fx.post("/v1/chat/completions",
                "{\"model\":\"team\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ensemble-model")).contains("gpt-b");
        assertThat(response.body()).contains("the patient one");
    }

    @Test
    void aMalformedRequestIs400InItsOwnWireNamingTheField() throws Exception {
        fx.start();
        HttpResponse<String> openai = fx.post("/v1/chat/completions", "{\"model\":\"gpt-a\"}");
        assertThat(openai.statusCode()).isEqualTo(400);
        assertThat(openai.body()).contains("\"error\"", "messages");
        HttpResponse<String> anthropic = fx.post("/v1/messages", "{\"model\":\"gpt-a\",\"max_tokens\":5,\"messages\":\"nope\"}");
        assertThat(anthropic.statusCode()).isEqualTo(400);
        assertThat(anthropic.body()).contains("\"type\":\"error\"", "messages");
        assertThat(fx.server.modelCalls()).isEmpty();
    }

    @Test
    void anUnknownModelIs404() throws Exception {
        fx.start();
        HttpResponse<String> response = fx.post("/v1/chat/completions",
                "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("no-such-model");
    }

    @Test
    void withAnOperatorTokenEveryRequestNeedsIt() throws Exception {
        String token = "ens-operator-token-4b8e1f";
        fx.server.rule(Rule.text("ok"));
        fx.start(fx.options().withGatekeeper(new OperatorToken(token), true));
        String body = "{\"model\":\"gpt-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        HttpResponse<String> none = fx.post("/v1/chat/completions", body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"error\"", "no API key");
        HttpResponse<String> wrong = fx.post("/v1/messages", "{\"model\":\"gpt-a\",\"max_tokens\":5,\"messages\":[]}",
                "x-api-key", "guess-" + token);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("\"type\":\"error\"").doesNotContain(token);
        assertThat(fx.get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(fx.post("/v1/chat/completions", body, "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(fx.post("/v1beta/models/gpt-a:generateContent?key=" + token,
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}").statusCode()).isNotEqualTo(401);
        assertThat(fx.server.modelCalls()).hasSize(fx.server.modelCalls().size()).allSatisfy(r ->
                assertThat(r.body() + r.headers()).doesNotContain(token));
    }

    @Test
    void noKeyOrTokenReachesAnAnswerAnErrorOrTheLedger() throws Exception {
        String token = "ens-operator-token-9d2c7a";
        // A provider that rejects the key and repeats it in its error, as some do.
        fx.server.rule(Rule.fault(new Fault.HttpError(401)));
        fx.start(fx.options().withGatekeeper(Gatekeeper.first(List.of(new OperatorToken(token), new Gatekeeper() {
            @Override public java.util.Optional<Admission> authenticate(java.util.Optional<String> secret) {
                return java.util.Optional.empty();
            }

            @Override public void settle(Caller caller, CallRecord record) {
                fx.settled.add(record);
            }
        })), true));
        List<String> seen = new ArrayList<>();
        for (String[] call : new String[][] {{"/v1/chat/completions", "gpt-a"}, {"/v1/chat/completions", "claude-a"},
                {"/v1/messages", "claude-a"}, {"/v1/messages", "gpt-a"}}) {
            String body = "{\"model\":\"" + call[1] + "\",\"max_tokens\":5,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            HttpResponse<String> response = fx.post(call[0], body, "Authorization", "Bearer " + token);
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isGreaterThanOrEqualTo(400);
            seen.add(response.body() + response.headers().map());
        }
        fx.ledger.forEach(r -> seen.add(r.toString()));
        fx.settled.forEach(r -> seen.add(r.toString()));
        assertThat(fx.ledger).isNotEmpty();
        assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(token, GatewayFixture.OA_KEY, GatewayFixture.AN_KEY));
        assertThat(fx.server.modelCalls()).allSatisfy(r -> assertThat(r.body() + r.headers()).doesNotContain(token));
    }

    @Test
    void aNonLoopbackAddressWithoutAKeyRequirementRefusesToStart() {
        assertThatThrownBy(() -> fx.start(fx.options().withAddress("0.0.0.0", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ENSEMBLE_TOKEN");
        assertThat(BindPolicy.refusal("127.0.0.1", false)).isEmpty();
        assertThat(BindPolicy.refusal("localhost", false)).isEmpty();
        assertThat(BindPolicy.refusal("::1", false)).isEmpty();
        assertThat(BindPolicy.refusal("10.1.2.3", false)).isPresent();
        assertThat(BindPolicy.refusal("10.1.2.3", true)).isEmpty();
    }

    @Test
    void aProvidersConcurrencyLimitHoldsAcrossClientsAndPaths() throws Exception {
        fx.server.rule(Rule.text("a b c d e").withChunkDelay(Duration.ofMillis(40)));
        fx.start();
        List<Callable<Integer>> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(() -> fx.post("/v1/chat/completions",
                    "{\"model\":\"limited\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
            clients.add(() -> fx.post("/v1/messages",
                    "{\"model\":\"limited\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> status : pool.invokeAll(clients)) assertThat(status.get()).isEqualTo(200);
        }
        assertThat(upstream("limited-wire")).hasSize(6);
        assertThat(fx.server.maxConcurrentRequests()).isEqualTo(1);
    }

    @Test
    void modelsListsTheCatalogAliasesAndAuto() throws Exception {
        fx.start();
        HttpResponse<String> response = fx.get("/v1/models");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"object\":\"list\"", "\"id\":\"gpt-a\"", "\"id\":\"team\"", "\"id\":\"auto\"");
    }

    @Test
    void autoLetsTheRouterPickAndSaysWhichModelAnswered() throws Exception {
        fx.server.rule(Rule.text("routed"));
        fx.start();
        HttpResponse<String> response = fx.post("/v1/chat/completions",
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"implement a rate limiter in Java\"}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ensemble-model")).hasValueSatisfying(id ->
                assertThat(fx.catalog.models()).containsKey(id));
    }

    @Test
    void countTokensIsAnsweredWithoutAProvider() throws Exception {
        fx.start();
        HttpResponse<String> response = fx.post("/v1/messages/count_tokens",
                "{\"model\":\"claude-a\",\"messages\":[{\"role\":\"user\",\"content\":\"how many tokens is this?\"}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).matches("\\{\"input_tokens\":[1-9][0-9]*}");
        assertThat(fx.server.modelCalls()).isEmpty();
    }

    @Test
    void metricsAreServedOnlyWhenGiven() throws Exception {
        fx.start();
        assertThat(fx.get("/metrics").statusCode()).isEqualTo(404);
        fx.close();
        try (GatewayFixture other = new GatewayFixture()) {
            other.start(other.options().withMetrics(() -> "ensemble_requests_total 3\n"));
            HttpResponse<String> response = other.get("/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ensemble_requests_total 3\n");
        }
    }
}
