package dev.ensemble.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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
import dev.ensemble.core.config.LocatedYaml;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.CircuitBreakerRegistry;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.llm.Sleeper;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipelineRunnerTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(10));
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    private ScriptedModelServer server;
    private final List<CallRecord> calls = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RoleModels roleModels() {
        Map<TaskKind, Capability> caps = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) caps.put(kind, new Capability(8, "test"));
        ModelSpec house = new ModelSpec("house", "house", "house", "house",
                new Pricing(1, 2, 0.1, "test", LocalDate.of(2026, 11, 1)), 128_000, 4096, 100, true, true, caps);
        Catalog catalog = new Catalog(Map.of("house", new ProviderSpec("house", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1",
                Optional.empty(), true)), Map.of("house", house), Map.of());
        ChatModels models = new ChatModels(catalog, TIMEOUTS, new RetrySettings(1, Duration.ofMillis(1), Duration.ofMillis(1), 1, 0,
                Duration.ofMillis(1)), new CircuitBreakerRegistry(BreakerSettings.DEFAULT), new SecretResolver(), calls::add,
                Sleeper.REAL, RandomGenerator.getDefault(), Optional.empty(), false);
        return new RoleModels(Roles.defaults(), models, new Router(catalog.models().values(), RoutingSettings.DEFAULTS,
                EvidenceSource.of(Map.of())));
    }

    private static PipelineDefinition audit() {
        LocatedYaml yaml = LocatedYaml.read("test.yaml", """
                pipelines:
                  audit:
                    steps:
                      - { role: librarian, name: find, prompt: "STEP-FIND the code for {input}" }
                      - { role: reviewer, name: audit, prompt: "STEP-AUDIT this: {previous}" }
                      - { role: planner, name: plan }
                    synthesis: { role: planner, prompt: "STEP-SYNTH {steps.find} / {steps.audit} / {previous}" }
                """);
        return Pipelines.load(yaml.tree().get("pipelines"), yaml.locator(), Roles.defaults()).require("audit");
    }

    @Test
    void eachStepRunsInOrderFedByTheOneBeforeAndTheSynthesisCombinesThem() {
        server.rule(Rule.text("FOUND-LOGIN-CODE").whenPrompt("STEP-FIND"));
        server.rule(Rule.text("AUDIT-VERDICT").whenPrompt("STEP-AUDIT"));
        server.rule(Rule.text("THE-RESULT").whenPrompt("STEP-SYNTH"));
        server.rule(Rule.text("PLAN-OUTPUT").whenPrompt("^Request: "));
        List<String> events = new ArrayList<>();
        StringBuilder streamed = new StringBuilder();
        PipelineRunner runner = new PipelineRunner(roleModels(), Clock.fixed(NOW, ZoneOffset.UTC));

        PipelineResult result = runner.run(audit(), "the login form", new PipelineRunner.Listener() {
            @Override public void stepStarted(int number, int total, PipelineStep step, RoleModels.Cast cast) {
                events.add(number + "/" + total + " " + step.name() + " " + cast.lead().id());
            }

            @Override public void text(String delta) {
                streamed.append(delta);
            }
        });

        assertThat(result.succeeded()).isTrue();
        assertThat(events).containsExactly("1/3 find house", "2/3 audit house", "3/3 plan house", "0/3 synthesis house");
        assertThat(streamed.toString()).isEqualTo("FOUND-LOGIN-CODEAUDIT-VERDICTPLAN-OUTPUTTHE-RESULT");
        List<String> prompts = server.requests().stream().filter(r -> r.method().equals("POST"))
                .map(r -> r.parsed().lastUserText()).toList();
        assertThat(prompts).hasSize(4);
        assertThat(prompts.get(0)).isEqualTo("STEP-FIND the code for the login form");
        assertThat(prompts.get(1)).isEqualTo("Request: the login form\n\nSTEP-AUDIT this: FOUND-LOGIN-CODE");
        assertThat(prompts.get(2)).isEqualTo("Request: the login form\n\nThe previous step (audit) answered:\nAUDIT-VERDICT");
        assertThat(prompts.get(3)).isEqualTo("Request: the login form\n\nSTEP-SYNTH FOUND-LOGIN-CODE / AUDIT-VERDICT / PLAN-OUTPUT");
        assertThat(calls).extracting(CallRecord::context).extracting(CallContext::command, CallContext::role)
                .containsExactly(tuple("pipeline", "librarian"), tuple("pipeline", "reviewer"),
                        tuple("pipeline", "planner"), tuple("pipeline", "planner"));
        assertThat(result.result()).isEqualTo("THE-RESULT");
        assertThat(result.costUsd()).isPositive();
        assertThat(result.steps()).extracting(StepResult::roleName).containsExactly("Librarian", "Oracle", "Sisyphus");

        String document = PipelineDocument.render(result);
        assertThat(document).startsWith("# Pipeline audit: the login form\n")
                .contains("## Result\n\nTHE-RESULT\n")
                .contains("### 1. find · librarian (Librarian) · house\n\nFOUND-LOGIN-CODE")
                .contains("### 2. audit · reviewer (Oracle) · house\n\nAUDIT-VERDICT")
                .contains("- Outcome: done")
                .contains("- Started: 2026-11-21 10:00:00 UTC");
        assertThat(document.indexOf("THE-RESULT")).isLessThan(document.indexOf("FOUND-LOGIN-CODE"));
    }

    @Test
    void aStepWhoseEveryModelFailsStopsThePipelineAndTheDocumentKeepsWhatWasDone() {
        server.rule(Rule.text("FOUND-LOGIN-CODE").whenPrompt("STEP-FIND"));
        server.rule(Rule.fault(new Fault.HttpError(500)).whenPrompt("STEP-AUDIT"));
        PipelineRunner runner = new PipelineRunner(roleModels(), Clock.fixed(NOW, ZoneOffset.UTC));
        List<StepResult> finished = new ArrayList<>();

        PipelineResult result = runner.run(audit(), "the login form", new PipelineRunner.Listener() {
            @Override public void stepFinished(StepResult step) {
                finished.add(step);
            }
        });

        assertThat(result.succeeded()).isFalse();
        assertThat(result.synthesis()).isEmpty();
        assertThat(result.steps()).extracting(StepResult::succeeded).containsExactly(true, false);
        StepResult failed = result.failure().orElseThrow();
        assertThat(failed.step().name()).isEqualTo("audit");
        assertThat(failed.error()).isNotBlank();
        assertThat(finished).hasSize(2);
        assertThat(server.requests().stream().filter(r -> r.method().equals("POST")).map(RecordedRequest::parsed)
                .map(p -> p.lastUserText()).toList()).noneMatch(p -> p.contains("STEP-SYNTH"));
        assertThat(PipelineDocument.render(result))
                .contains("- Outcome: stopped at step 2 (audit): ")
                .contains("No result: stopped at step 2 (audit)")
                .contains("FOUND-LOGIN-CODE")
                .contains("**Failed:** ");
    }

    @Test
    void anEmptyDescriptionIsRefused() {
        PipelineRunner runner = new PipelineRunner(roleModels(), Clock.systemUTC());
        assertThatThrownBy(() -> runner.run(audit(), "  ", new PipelineRunner.Listener() { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
