package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The planning figures of `ensemble go` are the truth: the model printed is the one that answered
 * (not the first of its chain), the planning call is in the run's report and its totals (which equal
 * the ledger's rows for the run), and it is held to budget.approve_above_usd like `ask`.
 */
class GoPlanningFiguresTest {
    private static final String PRICED = "{ input: 10, output: 10, cached_input: 0, source: test, as_of: 2026-11-01 }";
    private static final String PLAN = """
            {"tasks": [{"id": "impl-a", "title": "Implement A", "kind": "coding", "files": ["src/a.txt"],
              "acceptance": "a exists", "description": "MARK-A write a"}]}""";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        server.localModels(List.of("priced"));
        server.rule(Rule.text(PLAN).whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("write a"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** The planners alias leads with a cloud model whose key is not set; the local, priced model answers. */
    private void config(String budget) throws Exception {
        cli.repoConfig("""
                default_model: priced
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%1$s", local: true }
                  keyless: { wire: openai-chat, base_url: "%1$s/v1", api_key: "env:ENSEMBLE_TEST_KEY_THAT_IS_NOT_SET" }
                models:
                  priced: { provider: scripted, wire_name: priced, family: test, context_window: 32768,
                    max_output: 2048, tokens_per_second: 50, local: true, tools: true, pricing: %2$s,
                    capabilities: { planning: { score: 8, benchmark: test }, coding: { score: 8, benchmark: test },
                      review: { score: 8, benchmark: test } } }
                  cloud-planner: { provider: keyless, wire_name: cloud-planner, family: other, context_window: 32768,
                    max_output: 2048, tokens_per_second: 50, tools: true, pricing: %2$s,
                    capabilities: { planning: { score: 9, benchmark: test } } }
                aliases:
                  planners: [cloud-planner, priced]
                %3$s
                """.formatted(server.baseUrl(), PRICED, budget));
    }

    @Test
    void thePrintedPlannerIsTheModelThatAnsweredAndTheReportTotalsAreTheLedgerRowsOfTheRunPlanningIncluded() throws Exception {
        config("");
        CliHarness.Run run = cli.run("go", "--planner", "planners", "--test-command", "true", "--json", "add a");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).contains("planning with planners").contains("planned by priced")
                .doesNotContain("planning with cloud-planner").doesNotContain("planned by cloud-planner");

        JsonNode report = HttpTransport.JSON.readTree(run.out());
        String runId = report.path("run_id").asString();
        double planning;
        double ofRun;
        double all;
        String planningStarted;
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            planning = sum(store, "run_id = '" + runId + "' AND command = 'plan'");
            ofRun = sum(store, "run_id = '" + runId + "'");
            all = sum(store, "1 = 1");
            planningStarted = store.jdbi().withHandle(h -> h.createQuery("SELECT MIN(started_at) FROM model_calls WHERE command = 'plan'")
                    .mapTo(String.class).one());
        }
        // The run's time counts from before planning, not from the first dispatch.
        assertThat(java.time.Instant.parse(report.path("started_at").asString()))
                .isBeforeOrEqualTo(dev.ensemble.engine.store.UtcText.parse(planningStarted));
        assertThat(planning).as("the planning call is the run's, at catalog prices").isPositive();
        assertThat(ofRun).as("every call `go` made carries the run id").isEqualTo(all);
        JsonNode summary = report.path("summary");
        assertThat(summary.path("cost_usd").asDouble()).isCloseTo(ofRun, Offset.offset(1e-12));
        assertThat(summary.path("planning_cost_usd").asDouble()).isCloseTo(planning, Offset.offset(1e-12));
        assertThat(report.path("planning").size()).isEqualTo(1);
        assertThat(report.path("planning").get(0).path("model").asString()).isEqualTo("priced");

        String markdown = Files.readString(cli.repo.resolve(".ensemble/reports/" + runId + ".md"));
        assertThat(markdown).contains("of which planning $").contains("Planned by: priced (1 call");
    }

    @Test
    void aPlanningForecastAboveTheApprovalThresholdStopsBeforeThePlannerIsCalled() throws Exception {
        // Planning at $10 per Mtok, 2,048 tokens out at most, twice (a repair turn): about $0.04 > $0.01.
        config("budget: { approve_above_usd: 0.01 }");
        CliHarness.Run refused = cli.run("go", "--planner", "planners", "add a");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("planning (planners", "above budget.approve_above_usd $0.01", "nothing was sent", "--yes");
        assertThat(server.modelCalls()).as("the planner was not called").isEmpty();
        CliHarness.Run runs = cli.run("runs", "--json");
        assertThat(HttpTransport.JSON.readTree(runs.out()).size()).as("no run was recorded: " + runs.out()).isZero();

        // `plan` makes the same call and asks the same way.
        CliHarness.Run plan = cli.run("plan", "--alias", "planners", "add a");
        assertThat(plan.exitCode()).as(plan.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(server.modelCalls()).isEmpty();

        CliHarness.Run approved = cli.run("go", "--planner", "planners", "--yes", "--test-command", "true", "add a");
        assertThat(approved.exitCode()).as(approved.all()).isZero();
        assertThat(approved.err()).contains("approved by --yes").contains("planned by priced");
    }

    private static double sum(Store store, String where) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE " + where)
                .mapTo(Double.class).one());
    }
}
