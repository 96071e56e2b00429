package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ensemble go` shows the run's cost forecast before the first task is dispatched, and a forecast
 * above budget.approve_above_usd needs --yes: without it nothing is dispatched or merged (exit 2),
 * and the saved plan runs later with `ensemble resume --yes`.
 */
class GoForecastTest {
    /** $10 per million tokens in and out: a task's estimate (about 8,000 in, 1,500 out) is about $0.095, shown as $0.10. */
    private static final String PRICED = "{ input: 10, output: 10, cached_input: 0, source: test, as_of: 2026-11-01 }";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Path plan;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        server.localModels(List.of("priced"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("write a"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
        plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"request\": \"just a\", \"tasks\": [{\"id\": \"impl-a\", \"title\": \"Implement A\", \"kind\": \"coding\","
                + " \"files\": [\"src/a.txt\"], \"acceptance\": \"a\", \"description\": \"MARK-A\"}]}");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private void config(String budget) throws Exception {
        cli.repoConfig("""
                default_model: priced
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  priced: { provider: scripted, wire_name: priced, family: test, context_window: 32768,
                    max_output: 2048, tokens_per_second: 50, local: true, tools: true, pricing: %s,
                    capabilities: { coding: { score: 8, benchmark: test }, review: { score: 8, benchmark: test } } }
                local_only: true
                %s
                """.formatted(server.baseUrl(), PRICED, budget));
    }

    @Test
    void theForecastIsShownBeforeTheFirstTaskStarts() throws Exception {
        config("");
        CliHarness.Run run = cli.run("go", "--plan", plan.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        int forecast = run.err().indexOf("forecast: min $0.10");
        assertThat(forecast).as(run.err()).isNotNegative();
        assertThat(run.err()).contains("expected $0.10", "max $0.10", "for 1 task");
        assertThat(run.err().indexOf("▶ impl-a")).as("the first dispatch comes after the forecast").isGreaterThan(forecast);
        assertThat(run.err()).doesNotContain("approve_above_usd");
    }

    @Test
    void aboveTheThresholdNothingIsDispatchedWithoutYesAndTheSavedPlanRunsOnResumeYes() throws Exception {
        config("budget: { approve_above_usd: 0.01 }");
        CliHarness.Run refused = cli.run("go", "--plan", plan.toString());
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("forecast: min $0.10", "could cost up to $0.10, above budget.approve_above_usd $0.01",
                "nothing was dispatched", "pass --yes", "ensemble resume run-");
        assertThat(agentRequests()).as("no agent was started").isEmpty();
        assertThat(cli.git("branch", "--list", "ensemble/*")).as("nothing merged, not even specs").isBlank();
        assertThat(cli.run("resume", "--last").exitCode()).as("resume asks again").isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(agentRequests()).isEmpty();

        CliHarness.Run resumed = cli.run("resume", "--last", "--yes");
        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(resumed.err()).contains("forecast: min $0.10", "approved by --yes");
        assertThat(agentRequests()).isNotEmpty();

        CliHarness.Run approved = cli.run("go", "--yes", "--json", "--plan", plan.toString());
        assertThat(approved.exitCode()).as(approved.all()).isZero();
        assertThat(approved.err()).contains("approved by --yes");
        assertThat(approved.err().indexOf("approved by --yes")).isLessThan(approved.err().indexOf("▶ impl-a"));
        // --json: the forecast beside what the run cost.
        var report = dev.ensemble.llm.http.HttpTransport.JSON.readTree(approved.out());
        assertThat(report.path("forecast").path("min_usd").asDouble()).isGreaterThan(0)
                .isLessThanOrEqualTo(report.path("forecast").path("expected_usd").asDouble());
        assertThat(report.path("forecast").path("max_usd").asDouble()).isGreaterThanOrEqualTo(report.path("forecast").path("expected_usd").asDouble());
        assertThat(report.path("summary").path("cost_usd").isNumber()).isTrue();
    }

    private List<RecordedRequest> agentRequests() {
        return server.requests().stream().filter(r -> r.parsed() != null && r.parsed().toolsOffered()).toList();
    }
}
