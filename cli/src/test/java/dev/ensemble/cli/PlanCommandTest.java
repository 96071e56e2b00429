package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble plan`: shows a validated plan or the rejection reasons, and leaves the repository as it was. */
class PlanCommandTest {
    static final String GOOD = """
            ```json
            {"specs": [{"path": "specs/greet.md", "content": "# Greeting"}],
             "tasks": [
               {"id": "tests", "title": "Write the tests", "kind": "coding", "files": ["tests/test_greet.py"], "acceptance": "tests exist"},
               {"id": "impl", "title": "Implement greet", "kind": "coding", "files": ["src/greet.py"], "depends_on": ["tests"],
                "acceptance": "tests pass", "test_first": true},
               {"id": "docs", "title": "Document it", "kind": "coding", "files": ["docs/greet.md"], "acceptance": "documented"}
             ]}
            ```""";
    static final String UNKNOWN_DEP = """
            {"tasks": [{"id": "a", "title": "A", "kind": "coding", "files": ["src/a.py"], "depends_on": ["setup"], "acceptance": "ok"}]}""";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: scripted-a
                providers:
                  scripted: { wire: openai-chat, base_url: "%s/v1", local: true }
                models:
                  scripted-a: { provider: scripted, wire_name: a, family: test, context_window: 8192, max_output: 1024,
                    tokens_per_second: 100, tools: true,
                    pricing: { input: 2.0, output: 8.0, cached_input: 0.5, source: test, as_of: 2026-11-01 },
                    capabilities: { planning: { score: 5, benchmark: test } } }
                """.formatted(server.baseUrl()));
        Files.writeString(cli.repo.resolve("README.md"), "# greeter\nSays hello.\n");
        cli.git("commit", "-qam", "readme");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** What git sees, less ensemble's own store folder. */
    private String repoState() throws Exception {
        return cli.git("rev-parse", "HEAD") + cli.git("status", "--porcelain", "--untracked-files=all").lines()
                .filter(line -> !line.contains(".ensemble/")).toList();
    }

    @Test
    void showsAValidatedPlanAndWritesNothing() throws Exception {
        server.rule(Rule.text(GOOD));
        String before = repoState();
        CliHarness.Run run = cli.run("plan", "greet people by name");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("specs/greet.md").contains("TASK", "DEPENDS ON", "FILES");
        assertThat(run.out().lines().filter(l -> l.startsWith("impl ")).findFirst().orElseThrow())
                .contains("coding (test first)", "implementer", "tests", "src/greet.py", "Implement greet");
        assertThat(run.err()).contains("3 tasks · planned by scripted-a");
        assertThat(server.requests()).hasSize(1);
        assertThat(server.requests().getFirst().parsed().lastUserText()).contains("greet people by name", "Says hello.");
        assertThat(repoState()).isEqualTo(before);
        assertThat(cli.repo.resolve("specs")).doesNotExist();
    }

    @Test
    void jsonOutputIsItselfAValidPlan() {
        server.rule(Rule.text(GOOD));
        CliHarness.Run run = cli.run("plan", "--json", "--model", "scripted-a", "greet people");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(run.out());
        assertThat(root.path("tasks").get(1).path("depends_on").get(0).asString()).isEqualTo("tests");
        assertThat(PlanValidator.withDefaultRoles().validate(PlanParser.parse("greet people", run.out()))).isEmpty();
    }

    @Test
    void aPlanBadTwiceIsRejectedWithTheReasonsAndExitOne() throws Exception {
        server.rule(Rule.text(UNKNOWN_DEP));
        String before = repoState();
        CliHarness.Run run = cli.run("plan", "greet people");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("the plan was rejected")
                .contains("$.tasks[0].depends_on[0]: unknown dependency 'setup' (task ids: a)");
        assertThat(run.out()).isEmpty();
        assertThat(server.requests()).hasSize(2);
        assertThat(repoState()).isEqualTo(before);
    }

    @Test
    void anUnknownModelIsBadInput() {
        CliHarness.Run run = cli.run("plan", "--model", "nope", "greet people");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(server.requests()).isEmpty();
    }
}
