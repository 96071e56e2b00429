package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble pipeline` end to end: a repository configuration pointing every role at a scripted model. */
class PipelineCommandTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    String models;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.localModels(List.of("local-scripted"));
        cli = new CliHarness(dir);
        models = """
                default_model: local-scripted
                retry: { max_attempts: 1 }
                local_only: true
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8));
        cli.repoConfig(models);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private List<RecordedRequest> calls() {
        return server.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    private List<Path> documents() throws Exception {
        Path folder = cli.repo.resolve(".ensemble/pipelines");
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    @Test
    void aPipelineFromTheRepositoryConfigurationRunsInOrderEachStepFedByTheOneBefore() throws Exception {
        cli.repoConfig(models + """
                pipelines:
                  security-audit:
                    description: "Find and audit the code behind a concern"
                    steps:
                      - { role: librarian, name: find, prompt: "FIND the code that handles {input}" }
                      - { role: reviewer, name: audit, prompt: "AUDIT it: {previous}" }
                      - { role: implementer, name: harden, prompt: "HARDEN it after {steps.audit}" }
                    synthesis: { role: planner, prompt: "SYNTH {outputs}" }
                """);
        server.rule(Rule.text("found-in-auth.py").whenPrompt("^FIND").named("find"));
        server.rule(Rule.text("audit-says-escape-input").whenPrompt("AUDIT it").named("audit"));
        server.rule(Rule.text("hardened-patch").whenPrompt("HARDEN").named("harden"));
        server.rule(Rule.text("final-report").whenPrompt("SYNTH").named("synth"));

        CliHarness.Run run = cli.run("pipeline", "security-audit", "the login form");

        assertThat(run.exitCode()).as(run.all()).isZero();
        List<RecordedRequest> calls = calls();
        assertThat(calls).extracting(RecordedRequest::rule).containsExactly("find", "audit", "harden", "synth");
        List<String> prompts = calls.stream().map(r -> r.parsed().lastUserText()).toList();
        assertThat(prompts).hasSize(4);
        assertThat(prompts.get(0)).startsWith("FIND the code that handles the login form");
        assertThat(prompts.get(1)).contains("AUDIT it: found-in-auth.py");
        assertThat(prompts.get(2)).contains("HARDEN it after audit-says-escape-input");
        assertThat(prompts.get(3)).contains("SYNTH").contains("found-in-auth.py").contains("audit-says-escape-input").contains("hardened-patch");
        assertThat(calls.get(0).parsed().inputText()).contains("the Librarian");
        assertThat(calls.get(1).parsed().inputText()).contains("You are Oracle");
        assertThat(calls.get(2).parsed().inputText()).contains("You are Hephaestus");
        assertThat(calls.get(3).parsed().inputText()).contains("You are Sisyphus");

        assertThat(run.out()).contains("[step 1/3 · librarian Librarian · local-scripted]\nfound-in-auth.py")
                .contains("[step 2/3 · reviewer Oracle · local-scripted]\naudit-says-escape-input")
                .contains("[synthesis · planner Sisyphus · local-scripted]\nfinal-report");
        assertThat(run.out().indexOf("[step 3/3")).isLessThan(run.out().indexOf("[synthesis"));
        List<Path> documents = documents();
        assertThat(documents).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).matches("\\d{8}-\\d{6}-security-audit\\.md"));
        assertThat(run.out()).contains("Result document: .ensemble/pipelines/" + documents.getFirst().getFileName());
        assertThat(Files.readString(documents.getFirst())).contains("## Result\n\nfinal-report").contains("hardened-patch");

        // every call is in the ledger as the pipeline's, with its role
        CliHarness.Run usage = cli.run("usage", "--json", "--by", "role");
        assertThat(usage.exitCode()).as(usage.all()).isZero();
        assertThat(usage.out()).contains("librarian").contains("reviewer").contains("implementer").contains("planner");
    }

    @Test
    void theBuiltInFeaturePipelineRunsPlannerImplementerReviewerLibrarianThenTheSynthesis() throws Exception {
        server.rule(Rule.text("the-plan").whenPrompt("^Plan this feature"));
        server.rule(Rule.text("the-code").whenPrompt("^Implement this feature"));
        server.rule(Rule.text("approve").whenPrompt("^Review this implementation"));
        server.rule(Rule.text("the-docs").whenPrompt("^Write the documentation"));
        server.rule(Rule.text("the-result").whenPrompt("^Combine the team's work"));

        CliHarness.Run run = cli.run("pipeline", "feature", "--json", "add a --verbose flag");

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(run.out());
        assertThat(json.path("steps").valueStream().map(s -> s.path("role").asString()).toList())
                .containsExactly("planner", "implementer", "reviewer", "librarian");
        assertThat(json.path("steps").valueStream().map(s -> s.path("output").asString()).toList())
                .containsExactly("the-plan", "the-code", "approve", "the-docs");
        assertThat(json.path("steps").get(0).path("model").asString()).isEqualTo("local-scripted");
        assertThat(json.path("steps").get(0).has("cost_usd")).isTrue();
        assertThat(json.path("steps").get(0).path("usage").path("output_tokens").asLong()).isPositive();
        assertThat(json.path("synthesis").path("role").asString()).isEqualTo("planner");
        assertThat(json.path("synthesis").path("output").asString()).isEqualTo("the-result");
        List<String> prompts = calls().stream().map(r -> r.parsed().lastUserText()).toList();
        assertThat(prompts).hasSize(5);
        assertThat(prompts.get(0)).contains("add a --verbose flag");
        assertThat(prompts.get(1)).contains("the-plan");
        assertThat(prompts.get(2)).contains("the-plan").contains("the-code");
        assertThat(prompts.get(3)).contains("the-code").contains("approve");
        assertThat(prompts.get(4)).contains("the-plan").contains("the-code").contains("approve").contains("the-docs");
        assertThat(cli.repo.resolve(json.path("document").asString())).exists();
    }

    @Test
    void aStepWhoseEveryModelFailsStopsThePipelineWithExitOneAndTheDocumentRecordsWhatWasDone() throws Exception {
        server.rule(Rule.text("the-plan").whenPrompt("^Analyse this bug"));
        server.rule(Rule.fault(new Fault.HttpError(500)).whenPrompt("^Verify this analysis"));

        CliHarness.Run run = cli.run("pipeline", "bugfix", "the parser drops the last line");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("the pipeline stopped at step 2 (verify-analysis)");
        assertThat(calls()).hasSize(2);
        String document = Files.readString(documents().getFirst());
        assertThat(document).contains("the-plan").contains("No result: stopped at step 2 (verify-analysis)").contains("**Failed:**");
    }

    @Test
    void listShowsBuiltInAndConfiguredPipelinesWithTheirSteps() throws Exception {
        cli.repoConfig(models + """
                pipelines:
                  review:
                    steps: [reviewer]
                  tdd:
                    description: "Tests first"
                    steps: [reviewer, implementer]
                """);
        CliHarness.Run run = cli.run("pipeline", "--list");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("feature  Plan, implement, review and document a new feature  (built-in)")
                .contains("plan (planner) → implement (implementer) → review (reviewer) → docs (librarian) → synthesis (planner)")
                .contains("review  (" + cli.repo.resolve("ensemble.yaml") + ", replaces the built-in)")
                .contains("tdd  Tests first  (" + cli.repo.resolve("ensemble.yaml") + ")")
                .contains("reviewer → implementer → synthesis (planner)");
        assertThat(calls()).isEmpty();
    }

    @Test
    void badInputIsRefusedWithExitTwoAndNothingIsSent() throws Exception {
        CliHarness.Run unknown = cli.run("pipeline", "deploy", "ship it");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown pipeline 'deploy' (pipelines: feature, bugfix, review)");

        CliHarness.Run empty = cli.run("pipeline", "feature", "  ");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("the description is empty");

        CliHarness.Run missing = cli.run("pipeline");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("name a pipeline");

        cli.repoConfig(models + """
                pipelines:
                  audit:
                    steps:
                      - { role: librarian, name: find }
                      - { role: critic, name: judge }
                """);
        int line = lineOf(cli.repo.resolve("ensemble.yaml"), "role: critic");
        CliHarness.Run badRole = cli.run("pipeline", "audit", "the login form");
        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.err()).contains("configuration error")
                .contains(cli.repo.resolve("ensemble.yaml") + ":" + line + ": pipelines.audit.steps[1].role: unknown role 'critic' "
                        + "(roles: planner, implementer, reviewer, librarian)");
        assertThat(calls()).isEmpty();
        assertThat(documents()).isEmpty();
    }

    @Test
    void aRolesErrorNamesTheRepositoryFileTheLineAndTheKey() throws Exception {
        cli.repoConfig(models + """
                roles:
                  reviewer:
                    fallback: [judge]
                """);
        int line = lineOf(cli.repo.resolve("ensemble.yaml"), "fallback: [judge]");
        CliHarness.Run run = cli.run("pipeline", "review", "the parser");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(cli.repo.resolve("ensemble.yaml") + ":" + line + ": roles.reviewer.fallback: unknown role 'judge'");
    }

    private static int lineOf(Path file, String text) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i + 1;
        throw new AssertionError(text + " not in " + file);
    }
}
