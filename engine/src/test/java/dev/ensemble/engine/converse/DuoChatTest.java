package dev.ensemble.engine.converse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreakerRegistry;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.llm.Sleeper;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The chat loop against the scripted server: turn order, the stop token, the round limit, timeouts, failures, the transcript. */
class DuoChatTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(20),
            Duration.ofSeconds(20), Duration.ofSeconds(30));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-01T10:00:00Z"), ZoneOffset.UTC);

    @TempDir Path dir;
    private ScriptedModelServer server;
    private final List<CallRecord> calls = Collections.synchronizedList(new ArrayList<>());
    private RoleModels roleModels;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
        Map<String, ProviderSpec> providers = Map.of("house",
                new ProviderSpec("house", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), true));
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("writer", model("writer", "alpha"));
        models.put("critic", model("critic", "beta"));
        models.put("spare", model("spare", "gamma"));
        Catalog catalog = new Catalog(providers, models, Map.of("critic-chain", List.of("critic", "spare")));
        ChatModels chatModels = new ChatModels(catalog, TIMEOUTS,
                new RetrySettings(1, Duration.ofMillis(1), Duration.ofMillis(1), 1, 0, Duration.ofMillis(1)),
                new CircuitBreakerRegistry(BreakerSettings.DEFAULT), new SecretResolver(), calls::add, Sleeper.REAL,
                RandomGenerator.getDefault(), Optional.empty(), false);
        roleModels = new RoleModels(Roles.defaults(), chatModels, new Router(models.values(), RoutingSettings.DEFAULTS,
                EvidenceSource.of(Map.of())));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ModelSpec model(String id, String family) {
        Map<TaskKind, Capability> caps = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) caps.put(kind, new Capability(8, "test"));
        return new ModelSpec(id, "house", id, family, new Pricing(1, 2, 0.1, "test", LocalDate.of(2026, 11, 1)),
                32_000, 2048, 100, true, true, caps);
    }

    private DuoChat chat(ChatSettings settings, ChatListener listener) {
        return chat("critic", settings, listener);
    }

    private DuoChat chat(String reviewerModel, ChatSettings settings, ChatListener listener) {
        RoleModels.Cast implementer = roleModels.cast(Roles.IMPLEMENTER, "task", Optional.of("writer"));
        RoleModels.Cast reviewer = roleModels.cast(Roles.REVIEWER, "task", Optional.of(reviewerModel));
        return new DuoChat(implementer, reviewer, settings, listener, CLOCK);
    }

    private List<RecordedRequest> posts() {
        return server.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    @Test
    void turnsAlternateImplementerFirstAndStopAtTheRoundLimit() {
        server.rule(Rule.text("draft v1").forModel("writer").whenPrompt("^Task:"));
        server.rule(Rule.text("draft v2").forModel("writer").whenPrompt("round 1"));
        server.rule(Rule.text("draft v3").forModel("writer"));
        server.rule(Rule.text("Please handle empty input.").forModel("critic"));

        ChatTranscript t = chat(ChatSettings.DEFAULTS.withRounds(3), ChatListener.NONE).run("write a parser");

        assertThat(t.outcome()).isEqualTo(ChatOutcome.ROUND_LIMIT);
        assertThat(t.turns()).extracting(ChatTurn::roleId)
                .containsExactly("implementer", "reviewer", "implementer", "reviewer", "implementer", "reviewer");
        assertThat(t.turns()).extracting(ChatTurn::round).containsExactly(1, 1, 2, 2, 3, 3);
        assertThat(t.turns()).extracting(ChatTurn::content).startsWith("draft v1", "Please handle empty input.", "draft v2");
        assertThat(t.roundsCompleted()).isEqualTo(3);
        assertThat(posts()).extracting(RecordedRequest::model).containsExactly("writer", "critic", "writer", "critic", "writer", "critic");
        // Each side sees the task and the other's last message, labelled; the reviewer is told the stop token.
        List<RecordedRequest> requests = posts();
        assertThat(requests.get(1).parsed().lastUserText()).contains("Task:\nwrite a parser").contains("round 1:\ndraft v1");
        assertThat(requests.get(2).parsed().lastUserText()).startsWith("Review from Oracle (reviewer), round 1:\nPlease handle empty input.");
        assertThat(requests.get(2).body()).contains("write a parser").contains("draft v1");
        assertThat(requests.get(3).parsed().lastUserText()).contains("round 2:\ndraft v2");
        assertThat(requests.get(1).body()).contains("APPROVED on a line of its own");
        // No tools reach either side.
        assertThat(requests).allMatch(r -> !r.parsed().toolsOffered());
        // Every call is in the ledger under command chat with the role that made it.
        assertThat(calls).extracting(c -> c.context().command()).containsOnly("chat");
        assertThat(calls).extracting(c -> c.context().role())
                .containsExactly("implementer", "reviewer", "implementer", "reviewer", "implementer", "reviewer");
    }

    @Test
    void aKeyAModelRepeatsIsMaskedInTheTranscript() {
        String key = "sk-chat-transcript-key-4417";
        dev.ensemble.core.Redactor.global().register(key);
        server.rule(Rule.text("I found the key " + key + " in your env").forModel("writer"));
        server.rule(Rule.text("APPROVED").forModel("critic"));

        ChatTranscript transcript = chat(ChatSettings.DEFAULTS, new ChatListener() { }).run("show config");

        assertThat(transcript.toJsonText()).doesNotContain(key).contains("I found the key " + dev.ensemble.core.Redactor.MASK);
    }

    @Test
    void theReviewersStopTokenEndsTheChatBeforeTheRoundLimit() {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("Looks right now.\n\n**APPROVED**").forModel("critic").whenPrompt("round 2"));
        server.rule(Rule.text("Not APPROVED yet: add tests.").forModel("critic"));
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        ChatListener listener = new ChatListener() {
            @Override public void onTurnStart(int index, int round, ChatTurn.Side side, String roleId, String roleName, String modelId) {
                events.add("start " + index + " " + side.key() + " " + roleName + " " + modelId);
            }

            @Override public void onTurnEnd(ChatTurn turn) {
                events.add("end " + turn.index() + " " + turn.status().key());
            }
        };

        ChatTranscript t = chat(ChatSettings.DEFAULTS.withRounds(5), listener).run("write a parser");

        assertThat(t.outcome()).isEqualTo(ChatOutcome.APPROVED);
        assertThat(t.turns()).hasSize(4);
        assertThat(t.lastReview()).contains("APPROVED");
        assertThat(t.lastWork()).isEqualTo("draft");
        assertThat(t.outcomeDetail()).contains("round 2");
        assertThat(events).containsExactly("start 1 implementer Hephaestus writer", "end 1 ok", "start 2 reviewer Oracle critic", "end 2 ok",
                "start 3 implementer Hephaestus writer", "end 3 ok", "start 4 reviewer Oracle critic", "end 4 ok");
    }

    @Test
    void aStalledTurnEndsTheChatCleanlyWithTheTimeoutRecorded() {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("never heard").forModel("critic").withFault(new Fault.Stall(Duration.ofSeconds(10))));
        Duration limit = Duration.ofMillis(400);

        ChatTranscript t = chat(ChatSettings.DEFAULTS.withTurnTimeout(limit), ChatListener.NONE).run("write a parser");

        assertThat(t.outcome()).isEqualTo(ChatOutcome.TIMED_OUT);
        assertThat(t.turns()).hasSize(2);
        ChatTurn stalled = t.turns().get(1);
        assertThat(stalled.status()).isEqualTo(ChatTurn.Status.TIMED_OUT);
        assertThat(stalled.modelId()).isEqualTo("critic");
        assertThat(stalled.latency()).isGreaterThanOrEqualTo(limit);
        assertThat(stalled.error()).contains("400 ms");
        assertThat(stalled.content()).isEmpty();
        assertThat(stalled.usage().inputTokens()).isPositive();
        assertThat(t.outcomeDetail()).contains("Oracle").contains("round 1");
        assertThat(t.roundsCompleted()).isZero();
        // The abandoned call was interrupted and its attempt still reached the ledger.
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).outcome()).isEqualTo(CallRecord.Outcome.ERROR);
    }

    @Test
    void aTurnThatStallsMidStreamKeepsTheTextThatHadArrived() {
        server.rule(Rule.text("first part of the draft then more words").forModel("writer")
                .withFault(new Fault.StallMidStream(2, Duration.ofSeconds(10))));
        List<String> streamed = Collections.synchronizedList(new ArrayList<>());
        ChatListener listener = new ChatListener() {
            @Override public void onText(String delta) {
                streamed.add(delta);
            }
        };

        ChatTranscript t = chat(ChatSettings.DEFAULTS.withTurnTimeout(Duration.ofMillis(600)), listener).run("write a parser");

        assertThat(t.outcome()).isEqualTo(ChatOutcome.TIMED_OUT);
        ChatTurn turn = t.turns().getFirst();
        assertThat(turn.status()).isEqualTo(ChatTurn.Status.TIMED_OUT);
        assertThat(turn.content()).isNotEmpty().isEqualTo(String.join("", streamed));
        assertThat("first part of the draft then more words").startsWith(turn.content());
        assertThat(turn.timeToFirstToken()).isPositive().isLessThan(turn.latency());
        assertThat(turn.usageEstimated()).isTrue();
        assertThat(turn.costUsd()).isPositive();
    }

    @Test
    void aFailingModelHandsOverAlongTheChainAndAChainThatFailsEndsTheChat() {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("critic"));
        server.rule(Rule.text("APPROVED").forModel("spare"));

        ChatTranscript t = chat("critic-chain", ChatSettings.DEFAULTS, ChatListener.NONE).run("write a parser");
        assertThat(t.outcome()).isEqualTo(ChatOutcome.APPROVED);
        assertThat(t.turns().get(1).modelId()).isEqualTo("spare");
        assertThat(t.turns().get(1).failures()).extracting(f -> f.modelId()).contains("critic");

        ChatTranscript failed = chat("critic", ChatSettings.DEFAULTS, ChatListener.NONE).run("write a parser");
        assertThat(failed.outcome()).isEqualTo(ChatOutcome.FAILED);
        assertThat(failed.turns()).hasSize(2);
        assertThat(failed.turns().get(1).status()).isEqualTo(ChatTurn.Status.FAILED);
        assertThat(failed.turns().get(1).error()).isNotBlank();
    }

    @Test
    void theTranscriptHasEveryFieldForEveryTurnAndIsWrittenUnderSessions() throws Exception {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("APPROVED").forModel("critic"));
        ChatTranscript t = chat(ChatSettings.DEFAULTS, ChatListener.NONE).run("write a parser");

        Path file = t.write(dir);
        Path second = t.write(dir);
        assertThat(file).isEqualTo(dir.resolve(".ensemble/sessions/20261101-100000-chat.json"));
        assertThat(second.getFileName().toString()).isEqualTo("20261101-100000-2-chat.json");
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "20261101-100000-chat.json", "20261101-100000-2-chat.json");
        }
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(file));
        assertThat(root.path("task").asString()).isEqualTo("write a parser");
        assertThat(root.path("outcome").asString()).isEqualTo("approved");
        assertThat(root.path("settings").path("rounds").asInt()).isEqualTo(3);
        assertThat(root.path("settings").path("stop_token").asString()).isEqualTo("APPROVED");
        assertThat(root.path("settings").path("turn_timeout_ms").asLong()).isEqualTo(30_000);
        assertThat(root.path("implementer").path("model").asString()).isEqualTo("writer");
        assertThat(root.path("reviewer").path("name").asString()).isEqualTo("Oracle");
        assertThat(root.path("turns")).hasSize(2);
        for (JsonNode turn : root.path("turns")) {
            for (String field : List.of("index", "round", "side", "role", "name", "model", "status", "content", "input_tokens",
                    "output_tokens", "cached_input_tokens", "tokens_estimated", "cost_usd", "started_at", "latency_ms",
                    "time_to_first_token_ms", "error", "failures")) {
                assertThat(turn.has(field)).as(field).isTrue();
            }
            assertThat(turn.path("input_tokens").asLong()).isPositive();
            assertThat(turn.path("output_tokens").asLong()).isPositive();
        }
        assertThat(root.path("turns").get(0).path("content").asString()).isEqualTo("draft");
        assertThat(root.path("totals").path("turns").asInt()).isEqualTo(2);
    }

    @Test
    void theRoleCapsEachMessagesTokens() {
        var section = JsonMapper.builder().build().createObjectNode();
        section.putObject(Roles.REVIEWER).put("max_output_tokens", 77);
        ChatModels models = roleModels.models();
        RoleModels capped = new RoleModels(Roles.load(section), models, new Router(models.catalog().models().values(),
                RoutingSettings.DEFAULTS, EvidenceSource.of(Map.of())));
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("APPROVED").forModel("critic"));
        new DuoChat(capped.cast(Roles.IMPLEMENTER, "t", Optional.of("writer")), capped.cast(Roles.REVIEWER, "t", Optional.of("critic")),
                ChatSettings.DEFAULTS, ChatListener.NONE, CLOCK).run("write a parser");
        List<RecordedRequest> requests = posts();
        assertThat(requests.get(1).parsed().body().path("max_tokens").asInt(requests.get(1).parsed().body().path("max_completion_tokens").asInt()))
                .isEqualTo(77);
    }

    @Test
    void theStopTokenCountsOnlyOnALineOfItsOwn() {
        ChatSettings s = ChatSettings.DEFAULTS;
        assertThat(s.approves("APPROVED")).isTrue();
        assertThat(s.approves("Good work.\n\n**APPROVED**")).isTrue();
        assertThat(s.approves("APPROVED — the parser handles every case.")).isTrue();
        assertThat(s.approves("Verdict: APPROVED.")).isTrue();
        assertThat(s.approves("Not APPROVED yet: add tests.")).isFalse();
        assertThat(s.approves("APPROVED?\nNo: the empty case fails.")).isFalse();
        assertThat(s.approves("APPROVEDISH")).isFalse();
        assertThat(s.approves("approved")).isFalse();
        assertThat(s.approves("Fine.\nAPPROVED\nThanks")).isFalse();
        assertThat(s.withStopToken("LGTM").approves("LGTM")).isTrue();
    }

    @Test
    void settingsRejectZeroRoundsABlankTokenAndANonPositiveTimeout() {
        assertThatThrownBy(() -> ChatSettings.DEFAULTS.withRounds(0)).hasMessageContaining("rounds must be at least 1");
        assertThatThrownBy(() -> ChatSettings.DEFAULTS.withStopToken("two words")).hasMessageContaining("one word");
        assertThatThrownBy(() -> ChatSettings.DEFAULTS.withTurnTimeout(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> chat(ChatSettings.DEFAULTS, ChatListener.NONE).run(" ")).hasMessageContaining("empty");
    }
}
