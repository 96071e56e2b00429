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
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.llm.Sleeper;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsensusTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(20));
    private static final String QUESTION = "Which sorting algorithm should a database use for external sorting of huge tables?";
    private static final String SYNTHESIS = """
            Here is my comparison:
            ```json
            {"agree": ["merge-based"], "differ": ["A favours k-way merge, C polyphase"], "final": "External merge sort.", "confidence": 0.8}
            ```""";
    /** Long enough that, run one after another, no two panel requests could overlap. */
    private static final Duration STALL = Duration.ofSeconds(1);

    private ScriptedModelServer server;
    private final List<CallRecord> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ModelSpec model(String id, String family, double price, double score) {
        Map<TaskKind, Capability> caps = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) caps.put(kind, new Capability(score, "test"));
        return new ModelSpec(id, "house", id, family, new Pricing(price, price * 4, price / 10, "test", LocalDate.of(2026, 11, 1)),
                128_000, 2048, 100, false, true, caps);
    }

    /** Four families, all answering on the scripted server; alpha's family has a second, weaker model. */
    private Consensus consensus() {
        Map<String, ProviderSpec> providers = Map.of("house",
                new ProviderSpec("house", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), false));
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("alpha", model("alpha", "fam-a", 3, 9.5));
        models.put("beta", model("beta", "fam-b", 3, 9.4));
        models.put("gamma", model("gamma", "fam-c", 3, 9.3));
        models.put("delta", model("delta", "fam-d", 3, 9.2));
        models.put("alpha-mini", model("alpha-mini", "fam-a", 3, 6.0));
        Catalog catalog = new Catalog(providers, models, Map.of());
        ChatModels chatModels = new ChatModels(catalog, TIMEOUTS,
                new RetrySettings(1, Duration.ofMillis(1), Duration.ofMillis(1), 1, 0, Duration.ofMillis(1)),
                new CircuitBreakerRegistry(BreakerSettings.DEFAULT), new SecretResolver(), calls::add, Sleeper.REAL,
                RandomGenerator.getDefault(), Optional.empty(), false);
        Router router = new Router(catalog.models().values(), RoutingSettings.DEFAULTS, EvidenceSource.of(Map.of()));
        return new Consensus(new RoleModels(Roles.defaults(), chatModels, router));
    }

    private void answers(Duration stall) {
        for (String id : List.of("alpha", "beta", "gamma", "delta", "alpha-mini")) {
            Rule rule = Rule.text(id.toUpperCase(java.util.Locale.ROOT) + "-SAYS merge sort, I am " + id).forModel("^" + id + "$")
                    .whenPrompt("^(?!Question:)").named("panel " + id);
            server.rule(stall == null ? rule : rule.withFault(new Fault.Stall(stall)));
        }
        server.rule(Rule.text(SYNTHESIS).whenPrompt("^Question:").named("synthesis"));
    }

    private List<RecordedRequest> panelRequests() {
        return server.requests().stream().filter(r -> r.rule().startsWith("panel")).toList();
    }

    private RecordedRequest synthesisRequest() {
        List<RecordedRequest> synth = server.requests().stream().filter(r -> r.rule().equals("synthesis")).toList();
        assertThat(synth).hasSize(1);
        return synth.getFirst();
    }

    @Test
    void thePanelAnswersInParallelNoneSeesAnotherAndTheSynthesizerOfAnotherVendorSeesAll() {
        answers(STALL);
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta", "gamma"), 3);
        RoleModels.Cast synth = consensus.synthesizer(QUESTION, panel, Optional.empty());
        assertThat(synth.lead().id()).isEqualTo("delta");  // the only usable family not on the panel

        ConsensusResult result = consensus.run(QUESTION, panel, synth, false, Consensus.Listener.NONE);

        // Each panel request stalls a second before answering: three in flight at once means they overlapped.
        assertThat(server.maxConcurrentRequests()).isEqualTo(3);
        List<RecordedRequest> panelRequests = panelRequests();
        assertThat(panelRequests).extracting(RecordedRequest::model).containsExactlyInAnyOrder("alpha", "beta", "gamma");
        for (RecordedRequest r : panelRequests) {
            assertThat(r.parsed().lastUserText()).isEqualTo(QUESTION);
            assertThat(r.body()).doesNotContain("-SAYS");
        }
        RecordedRequest s = synthesisRequest();
        assertThat(s.model()).isEqualTo("delta");
        assertThat(s.body()).contains("ALPHA-SAYS", "BETA-SAYS", "GAMMA-SAYS", "(from alpha)", "(from beta)", "(from gamma)");

        assertThat(result.reached()).isTrue();
        assertThat(result.answers()).extracting(PanelAnswer::model).containsExactly("alpha", "beta", "gamma");
        assertThat(result.answers()).extracting(PanelAnswer::label).containsExactly("A", "B", "C");
        assertThat(result.answers().getFirst().costUsd()).isPositive();
        Synthesis synthesis = result.synthesis().orElseThrow();
        assertThat(synthesis.model()).isEqualTo("delta");
        assertThat(synthesis.structured()).isTrue();
        assertThat(synthesis.agreements()).containsExactly("merge-based");
        assertThat(synthesis.finalAnswer()).isEqualTo("External merge sort.");
        assertThat(synthesis.confidence()).hasValue(0.8);

        // Every call is in the ledger's stream, as the consensus command with its role.
        assertThat(calls).allSatisfy(c -> assertThat(c.context().command()).isEqualTo("consensus"));
        assertThat(calls).extracting(c -> c.context().role()).containsExactlyInAnyOrder("panelist", "panelist", "panelist", "synthesizer");
    }

    @Test
    void blindHidesTheModelNamesFromTheSynthesizerEvenInsideTheAnswers() {
        answers(null);
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta", "gamma"), 3);
        ConsensusResult result = consensus.run(QUESTION, panel, consensus.synthesizer(QUESTION, panel, Optional.empty()), true,
                Consensus.Listener.NONE);
        assertThat(result.reached()).isTrue();
        String body = synthesisRequest().body();
        assertThat(body).contains("Answer A", "Answer B", "Answer C", "merge sort", "anonymous");
        assertThat(body.toLowerCase(java.util.Locale.ROOT)).doesNotContain("alpha", "beta", "gamma");
        // The user still sees who said what.
        assertThat(result.answers()).extracting(PanelAnswer::model).containsExactly("alpha", "beta", "gamma");
    }

    @Test
    void aFailedPanelistIsReportedAndTheRestAreSynthesized() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^beta$").named("beta down"));
        answers(null);
        List<String> progress = new CopyOnWriteArrayList<>();
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta", "gamma"), 3);
        ConsensusResult result = consensus.run(QUESTION, panel, consensus.synthesizer(QUESTION, panel, Optional.empty()), false,
                new Consensus.Listener() {
                    @Override public void onAnswer(PanelAnswer a) { progress.add("answer " + a.model()); }

                    @Override public void onFailure(PanelFailure f) { progress.add("failure " + f.panelist()); }
                });
        assertThat(result.reached()).isTrue();
        assertThat(result.answers()).extracting(PanelAnswer::label).containsExactly("A", "C");
        assertThat(result.failures()).singleElement().satisfies(f -> {
            assertThat(f.panelist()).isEqualTo("beta");
            assertThat(f.label()).isEqualTo("B");
            assertThat(f.kind()).isEqualTo(ModelException.Kind.SERVER_ERROR);
        });
        assertThat(progress).containsExactlyInAnyOrder("answer alpha", "failure beta", "answer gamma");
        assertThat(synthesisRequest().body()).contains("ALPHA-SAYS", "GAMMA-SAYS").doesNotContain("BETA-SAYS");
    }

    @Test
    void withFewerThanTwoAnswersThereIsNoSynthesis() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^(beta|gamma)$"));
        answers(null);
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta", "gamma"), 3);
        ConsensusResult result = consensus.run(QUESTION, panel, consensus.synthesizer(QUESTION, panel, Optional.empty()), false,
                Consensus.Listener.NONE);
        assertThat(result.reached()).isFalse();
        assertThat(result.problem()).contains("only 1 of 3");
        assertThat(result.failures()).hasSize(2);
        assertThat(server.requests()).noneMatch(r -> r.rule().equals("synthesis"));
    }

    @Test
    void aFailedSynthesizerLeavesTheAnswersAndSaysWhy() {
        server.rule(Rule.fault(new Fault.HttpError(503)).whenPrompt("^Question:"));
        answers(null);
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta"), 3);
        ConsensusResult result = consensus.run(QUESTION, panel, consensus.synthesizer(QUESTION, panel, Optional.of("delta")), false,
                Consensus.Listener.NONE);
        assertThat(result.reached()).isFalse();
        assertThat(result.answers()).hasSize(2);
        assertThat(result.problem()).startsWith("the synthesizer failed");
    }

    @Test
    void aRoutedPanelSpansFamiliesAndAFailingLeadFallsBackToAModelNoOtherMemberLeads() {
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of(), 3);
        assertThat(panel).hasSize(3);
        assertThat(panel).extracting(p -> p.cast().lead().family()).doesNotHaveDuplicates();
        List<String> leads = panel.stream().map(p -> p.cast().lead().id()).toList();
        for (Panelist p : panel) {
            assertThat(p.cast().chain().subList(1, p.cast().chain().size())).extracting(ModelSpec::id).doesNotContainAnyElementsOf(leads);
        }
        RoleModels.Cast synth = consensus.synthesizer(QUESTION, panel, Optional.empty());
        assertThat(panel).extracting(p -> p.cast().lead().family()).doesNotContain(synth.lead().family());

        // The first lead fails; its chain's next model answers in its place.
        Panelist first = panel.getFirst();
        assertThat(first.cast().chain()).hasSizeGreaterThan(1);
        String reserve = first.cast().chain().get(1).id();
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^" + first.name() + "$"));
        answers(null);
        ConsensusResult result = consensus.run(QUESTION, panel, synth, false, Consensus.Listener.NONE);
        PanelAnswer a = result.answers().getFirst();
        assertThat(a.panelist()).isEqualTo(first.name());
        assertThat(a.model()).isEqualTo(reserve);
        assertThat(a.fellBack()).isTrue();
        assertThat(result.failures()).isEmpty();
    }

    @Test
    void badPanelsAreRefusedBeforeAnyCall() {
        Consensus consensus = consensus();
        assertThatThrownBy(() -> consensus.panel("  ", List.of("alpha", "beta"), 3)).hasMessageContaining("question is empty");
        assertThatThrownBy(() -> consensus.panel(QUESTION, List.of("alpha"), 3)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> consensus.panel(QUESTION, List.of("alpha", "gpt-9"), 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpt-9");
        assertThatThrownBy(() -> consensus.panel(QUESTION, List.of("alpha", "alpha"), 3)).hasMessageContaining("named twice");
        assertThatThrownBy(() -> consensus.panel(QUESTION, List.of(), 1)).hasMessageContaining("2 to");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void theWorstCaseCountsEveryPanelistAndTheSynthesizerReadingAllAnswers() {
        Consensus consensus = consensus();
        List<Panelist> panel = consensus.panel(QUESTION, List.of("alpha", "beta"), 3);
        RoleModels.Cast synth = consensus.synthesizer(QUESTION, panel, Optional.of("delta"));
        double oneAnswer = 2048 * 12 / 1e6;  // each model: output $12/Mtok, 2048 tokens at most
        assertThat(consensus.worstCaseUsd(QUESTION, panel, synth)).isGreaterThan(3 * oneAnswer + 2 * 2048 * 3 / 1e6);
    }
}
