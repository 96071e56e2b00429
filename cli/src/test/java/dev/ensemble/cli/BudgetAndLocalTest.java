package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Usage;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Budgets on every model call, `ensemble budget`, approval above a threshold, and local-only mode, end to end. */
class BudgetAndLocalTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        config("");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** Two priced cloud models and one free local one on the scripted server, plus the built-in catalog. */
    private void config(String extra) throws Exception {
        cli.repoConfig("""
                default_model: cloud-a
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: openai-chat, base_url: "%1$s/v1" }
                  scripted-local: { wire: openai-chat, base_url: "%1$s/v1", local: true }
                models:
                  cloud-a: %2$s
                  cloud-b: %3$s
                  local-a: %4$s
                aliases:
                  pair: [cloud-a, cloud-b]
                  mixed: [cloud-a, local-a]
                  cloudy: [cloud-a, cloud-b]
                """.formatted(server.baseUrl(), model("scripted", "cloud-a", 2.0, 8.0, false),
                model("scripted", "cloud-b", 2.0, 8.0, false), model("scripted-local", "local-a", 0, 0, true)) + extra);
    }

    private static String model(String provider, String wire, double in, double out, boolean local) {
        return ("{ provider: %s, wire_name: %s, family: test, context_window: 8192, max_output: 1024, tokens_per_second: 100,"
                + " local: %s, tools: true, pricing: { input: %s, output: %s, cached_input: 0, source: test, as_of: 2026-11-01 },"
                + " capabilities: { planning: { score: 5, benchmark: test }, coding: { score: 5, benchmark: test },"
                + " review: { score: 5, benchmark: test }, search: { score: 5, benchmark: test } } }")
                .formatted(provider, wire, local, in, out);
    }

    /** Earlier spending, written through the ledger as real calls are. */
    private void spent(String model, double usd, String runId) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (AppContext app = new AppContext(new Terminal(sink, sink, false), cli.repo,
                new ConfigLoader(cli.userConfig, cli.repo.resolve("ensemble.yaml"), Map.of()))) {
            app.ledger().onCall(new CallRecord(Instant.now(), CallContext.of("test").withRun(runId, runId.isEmpty() ? "" : "t1"),
                    "scripted", model, false, new Usage(1000, 500, 0), usd, Duration.ofMillis(100), Duration.ZERO,
                    CallRecord.Outcome.OK, "", ""));
        }
    }

    private List<String> modelsAsked() {
        List<String> models = new ArrayList<>();
        for (RecordedRequest r : server.requests()) models.add(r.model());
        return models;
    }

    @Test
    void aCallThatWouldCrossTheDailyBudgetIsNotSent() {
        spent("cloud-a", 49.995, "");
        server.rule(Rule.text("should never be sent"));
        CliHarness.Run run = cli.run("ask", "--model", "cloud-a", "hello");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(server.requests()).isEmpty();
        assertThat(run.err()).contains("daily budget $50.00: spent $50.00", "this call to cloud-a could cost up to $0.008",
                "not sent", "budget.daily_usd");
        assertThat(run.out()).doesNotContain("should never be sent");
    }

    @Test
    void aBudgetRefusalStopsAFallbackChainButAFreeLocalModelStillRuns() throws Exception {
        config("budget: { daily_usd: 0.000001 }\n");
        server.rule(Rule.text("local answer"));
        CliHarness.Run refused = cli.run("ask", "--alias", "pair", "hello");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(refused.err()).contains("daily budget", "not sent");
        assertThat(server.requests()).isEmpty();

        CliHarness.Run local = cli.run("ask", "--model", "local-a", "hello");
        assertThat(local.exitCode()).isZero();
        assertThat(local.out()).contains("local answer");
        assertThat(modelsAsked()).containsExactly("local-a");
    }

    @Test
    void at80PercentTheCallGoesThroughWithOneWarningLine() {
        spent("cloud-b", 40.5, "");
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("cloud-a"));
        server.rule(Rule.text("answered"));
        // Both models of the chain are checked and both are past 80%: still one line.
        CliHarness.Run run = cli.run("ask", "--alias", "pair", "hello");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("answered");
        assertThat(run.err().lines().filter(l -> l.contains("budget warning"))).singleElement()
                .satisfies(l -> assertThat(l).contains("daily budget", "of the $50.00 limit"));
        assertThat(modelsAsked()).containsExactly("cloud-a", "cloud-b");
    }

    @Test
    void aPerRunLimitCountsOnlyThatRun() throws Exception {
        config("budget: { run_usd: 1 }\n");
        spent("cloud-a", 0.9999, "run-1");
        spent("cloud-a", 0.5, "run-2");
        server.rule(Rule.text("fine"));
        // ask belongs to no run: only the daily limit and the run limit against this call apply.
        assertThat(cli.run("ask", "--model", "cloud-a", "hello").exitCode()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(cli.run("budget", "--json").out());
        assertThat(json.path("runs")).hasSize(2);
        assertThat(json.path("runs").get(0).path("run").asString()).isEqualTo("run-2");
        assertThat(json.path("runs").get(1).path("spent_usd").asDouble()).isEqualTo(0.9999);
        assertThat(json.path("runs").get(1).path("warning").asBoolean()).isTrue();
        assertThat(json.path("runs").get(0).path("left_usd").asDouble()).isEqualTo(0.5);
    }

    @Test
    void budgetJsonHasTheFiguresFromTheLedger() {
        spent("cloud-a", 1.25, "");
        spent("cloud-b", 0.75, "run-x");
        CliHarness.Run run = cli.run("budget", "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(run.out());
        assertThat(json.path("limits").path("daily_usd").asDouble()).isEqualTo(50.0);
        assertThat(json.path("limits").path("run_usd").isNull()).isTrue();
        assertThat(json.path("today").path("spent_usd").asDouble()).isEqualTo(2.0);
        assertThat(json.path("today").path("left_usd").asDouble()).isEqualTo(48.0);
        assertThat(json.path("today").path("calls").asLong()).isEqualTo(2);
        assertThat(json.path("today").path("warning").asBoolean()).isFalse();
        assertThat(json.path("by_model").get(0).path("model").asString()).isEqualTo("cloud-a");
        assertThat(json.path("by_model").get(0).path("cost_usd").asDouble()).isEqualTo(1.25);
        assertThat(json.path("by_model").get(1).path("model").asString()).isEqualTo("cloud-b");
        assertThat(json.path("runs")).singleElement().satisfies(r -> assertThat(r.path("run").asString()).isEqualTo("run-x"));

        CliHarness.Run text = cli.run("budget");
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("daily $50.00", "$2.00 spent in 2 calls", "$48.00 left of $50.00", "cloud-a", "run-x");
    }

    @Test
    void aForecastAboveTheApprovalThresholdNeedsYes() throws Exception {
        config("budget: { approve_above_usd: 0.001 }\n");
        server.rule(Rule.text("approved answer"));
        CliHarness.Run refused = cli.run("ask", "--model", "cloud-a", "hello");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("above budget.approve_above_usd $0.0010", "pass --yes");
        assertThat(server.requests()).isEmpty();

        CliHarness.Run approved = cli.run("ask", "--yes", "--model", "cloud-a", "hello");
        assertThat(approved.exitCode()).isZero();
        assertThat(approved.out()).contains("approved answer");
        // A free model forecasts $0: nothing to approve.
        assertThat(cli.run("ask", "--model", "local-a", "hello").exitCode()).isZero();
    }

    @Test
    void dashDashLocalRefusesACloudModelEvenWhenConfigSaysOtherwise() throws Exception {
        config("local_only: false\n");
        server.rule(Rule.text("nope"));
        for (String[] args : List.of(new String[] {"--local", "ask", "--model", "cloud-a", "hello"},
                new String[] {"ask", "--local", "--model", "cloud-a", "hello"})) {
            CliHarness.Run run = cli.run(args);
            assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).contains("local-only mode: cloud-a is a cloud model", "ollama pull ");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anAliasKeepsOnlyItsLocalModels() {
        server.rule(Rule.text("from local"));
        CliHarness.Run run = cli.run("--local", "ask", "--alias", "mixed", "hello");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("from local");
        assertThat(modelsAsked()).containsExactly("local-a");
    }

    @Test
    void localOnlyInConfigDoesTheSameAndNoLocalOverridesIt() throws Exception {
        config("local_only: true\n");
        server.rule(Rule.text("hi"));
        CliHarness.Run run = cli.run("ask", "--alias", "cloudy", "hello");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("no local model in cloudy (cloud-a, cloud-b are cloud models)", "pull one: ollama pull ");
        assertThat(cli.run("ask", "--model", "cloud-b", "hello").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(server.requests()).isEmpty();

        CliHarness.Run allowed = cli.run("--no-local", "ask", "--model", "cloud-b", "hello");
        assertThat(allowed.exitCode()).isZero();
        assertThat(modelsAsked()).containsExactly("cloud-b");
    }

    @Test
    void theRouterUnderLocalHasOnlyLocalCandidatesAndExcludesEveryCloudModel() {
        CliHarness.Run run = cli.run("--local", "route", "--json", "--kind", "coding", "--out", "500", "fix the date parser");
        JsonNode json = HttpTransport.JSON.readTree(run.out());
        assertThat(json.path("local_only").asBoolean()).isTrue();
        assertThat(json.path("candidates")).isNotEmpty();
        List<String> candidates = new ArrayList<>();
        json.path("candidates").forEach(c -> candidates.add(c.path("model").asString()));
        assertThat(candidates).contains("local-a").doesNotContain("cloud-a", "cloud-b", "claude-sonnet-4-5", "gpt-5");
        int cloud = 0;
        for (JsonNode e : json.path("excluded")) {
            String id = e.path("model").asString();
            boolean local = id.equals("local-a") || e.path("reason").asString().contains("not pulled")
                    || e.path("reason").asString().contains("Ollama");
            if (!local) {
                cloud++;
                assertThat(e.path("reason").asString()).as(id).contains("local-only");
            }
        }
        assertThat(cloud).isGreaterThan(10);  // the built-in catalog's cloud models and the two scripted ones
    }
}
