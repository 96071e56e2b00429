package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.Router;
import dev.ensemble.engine.orchestrate.AgentTaskExecutor;
import dev.ensemble.engine.orchestrate.Orchestrator;
import dev.ensemble.engine.run.SchedulerSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.engine.store.StoreEvidence;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code go} with tasks on CLI agents through the in-process gateway: fake CLIs (shell scripts
 * with curl, as in {@link AgentsThroughGatewayTest}) drive a model served over OpenAI Chat. Every
 * request is a ledger row of its run, task, attempt and fallback step and the report's costs are
 * those rows'; a budget's refusal is not retried into the same refusal; a failed attempt's
 * conversation reaches the next agent (another vendor's CLI) as a summary, kept for a resume.
 */
class GoThroughGatewayTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).named("reviewer"));
        server.rule(Rule.text("Written."));
        cli = new CliHarness(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void everyRequestOfAGoTaskOnACliAgentIsALedgerRowOfItsAttemptAndTheReportCostsTheirSum() throws Exception {
        install(fakeClaude(3, false, 0, false), null);
        config("");
        CliHarness.Run run = cli.run("go", "--plan", plan("claude", "paid").toString(), "--json", "--yes", "--test-command", "true");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).contains("CLI agents go through ensemble's gateway at http://127.0.0.1:");
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        String runId = report.path("run_id").asString();

        List<Map<String, Object>> agentRows = rows("SELECT run_id, task_id, attempt, fallback_step, cost_usd FROM model_calls "
                + "WHERE command = 'agent:claude' ORDER BY id");
        assertThat(agentRows).hasSize(3).allSatisfy(row -> {
            assertThat(row.get("run_id")).isEqualTo(runId);
            assertThat(row.get("task_id")).isEqualTo("write");
            assertThat(((Number) row.get("attempt")).intValue()).isEqualTo(1);
            assertThat(((Number) row.get("fallback_step")).intValue()).isZero();
        });
        double agentSum = sum(agentRows);
        assertThat(agentSum).isPositive();
        assertThat(report.path("tasks").get(0).path("cost_usd").asDouble()).as("the CLI's own $0.50 is not used")
                .isCloseTo(agentSum, Offset.offset(1e-9));
        double runSum = sum(rows("SELECT cost_usd FROM model_calls WHERE run_id = '" + runId + "'"));
        assertThat(report.path("summary").path("cost_usd").asDouble()).isCloseTo(runSum, Offset.offset(1e-9));
        // Each request is an event of the run as it happens: a model_call line in the attempt's transcript.
        List<String> calls = Files.readAllLines(cli.repo.resolve(".ensemble/sessions/" + runId + "/write-a1-f0.jsonl")).stream()
                .filter(line -> line.contains("\"kind\":\"model_call\"")).toList();
        assertThat(calls).hasSize(3).allSatisfy(line -> {
            JsonNode call = HttpTransport.JSON.readTree(line);
            assertThat(call.path("content").asString()).isEqualTo("paid");
            assertThat(call.path("data").path("outcome").asString()).isEqualTo("ok");
            assertThat(call.path("data").path("cost_usd").asDouble()).isPositive();
        });

        JsonNode agents = HttpTransport.JSON.readTree(cli.run("agents", "--json").out());
        assertThat(agents.path("gateway").path("agents").asBoolean()).isTrue();
        JsonNode claude = byName(agents.path("agents"), "claude");
        assertThat(claude.path("native").toString()).isEqualTo("[\"anthropic\"]");
        assertThat(claude.path("drives").size()).as(claude.toString()).isGreaterThan(3);
        assertThat(claude.path("through_gateway").asBoolean()).isTrue();
    }

    @Test
    void aBuiltinOnlyRunStartsNoGatewayAndAgentsSaysWhenItIsOff() throws Exception {
        install(fakeClaude(1, false, 0, false), null);
        config("gateway: { agents: false }\n");
        CliHarness.Run run = cli.run("go", "--plan", plan("builtin", "paid").toString(), "--json", "--yes", "--test-command", "true");
        assertThat(run.err()).doesNotContain("ensemble's gateway at");
        JsonNode agents = HttpTransport.JSON.readTree(cli.run("agents", "--json").out());
        assertThat(agents.path("gateway").path("agents").asBoolean()).isFalse();
        JsonNode claude = byName(agents.path("agents"), "claude");
        assertThat(claude.path("drives").toString()).isEqualTo("[\"anthropic\"]");
        assertThat(claude.path("through_gateway").asBoolean()).isFalse();
        assertThat(cli.run("agents").out()).contains("gateway: off");

        config("");
        CliHarness.Run builtin = cli.run("go", "--plan", plan("builtin", "paid").toString(), "--json", "--yes", "--test-command", "true");
        assertThat(builtin.err()).as("no CLI agent in the plan: no gateway").doesNotContain("ensemble's gateway at");
    }

    @Test
    void aTaskBudgetRefusalFailsTheTaskOnceWhenNoModelOfItsChainFits() throws Exception {
        install(fakeClaude(40, false, 100, false), null);
        config("budget: { task_usd: 0.4 }\n");
        CliHarness.Run run = cli.run("go", "--plan", plan("claude", "paid").toString(), "--json", "--yes", "--test-command", "true");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        JsonNode task = HttpTransport.JSON.readTree(run.out()).path("tasks").get(0);
        assertThat(task.path("failure_reason").asString()).contains("task budget:")
                .contains("no other model of the task's chain fits what is left of the budget");
        assertThat(Files.readAllLines(dir.resolve("claude.runs"))).as("not retried into the same refusal").hasSize(1);
        assertThat(triesOf("write")).containsExactly("paid");
    }

    @Test
    void aTaskBudgetRefusalFallsBackOnlyToAModelTheRequestFits() throws Exception {
        install(fakeClaude(40, false, 100, false), null);
        config("budget: { task_usd: 0.4 }\n" + """
                  dear: { provider: scripted, wire_name: dear-wire, family: test, context_window: 200000, max_output: 4096,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: 2000, output: 2000, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 9, benchmark: test } } }
                  free: { provider: scripted, wire_name: free-wire, family: test, context_window: 200000, max_output: 4096,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: 0, output: 0, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 7, benchmark: test }, review: { score: 9, benchmark: test } } }
                """, true);
        CliHarness.Run run = cli.run("go", "--plan", plan("claude", "paid").toString(), "--json", "--yes", "--test-command", "true");
        assertThat(triesOf("write")).as(run.all()).containsExactly("paid", "free");
        assertThat(run.exitCode()).as(run.all()).isZero();
    }

    @Test
    void aFailedAttemptsConversationReachesAnotherVendorsAgentAsASummaryKeptForAResume() throws Exception {
        install(fakeClaude(2, false, 0, true), fakeGemini());
        config("");
        String runId = "20261206-handover";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8), false);
        Orchestrator.Outcome outcome;
        try (AppContext app = new AppContext(terminal, cli.repo, new ConfigLoader(cli.userConfig, cli.repo.resolve("ensemble.yaml"), Map.of()),
                Map.of())) {
            app.cliSettings(cli.cliSettings);
            Catalog catalog = app.config().catalog();
            ModelSpec paid = catalog.model("paid").orElseThrow();
            // Claude Code on step 0 (its first try and its retry), Gemini CLI, another vendor's, on step 1.
            AgentTaskExecutor.Assignment assignment = (task, step) -> step > 1 ? Optional.empty()
                    : Optional.of(new AgentTaskExecutor.Choice(app.agents().byName(step == 0 ? "claude" : "gemini").orElseThrow(),
                            paid, catalog.providerOf(paid), Optional.empty()));
            Router router = new Router(catalog.models().values(), app.routing(), new StoreEvidence(app.store()));
            Orchestrator orchestrator = GoCommand.orchestrator(app, Duration.ofMinutes(2), assignment, new SchedulerSettings(1, 2, 1),
                    dev.ensemble.engine.judge.JudgeSettings.defaults().withTestCommand("true"), router, spec -> app.models().availability(spec));
            try (RunGateway.Attached gateway = RunGateway.attach(app, orchestrator, true)) {
                outcome = orchestrator.run(runId, new Plan("write hello", List.of(), List.of(task(Optional.empty()))), "HEAD");
            }
        }
        assertThat(outcome.allPassed()).as(out.toString(StandardCharsets.UTF_8)).isTrue();

        String prompt = Files.readString(dir.resolve("gemini.prompt"));
        assertThat(prompt).contains("What the previous attempt (claude on paid) did, as ensemble's gateway saw it")
                .contains("Write {\"n\":1} → ok 1").contains("A previous attempt failed").doesNotContain("ens-att-");
        assertThat(prompt.length()).as("bounded").isLessThan(8_000);
        Path kept = cli.repo.resolve(".ensemble/sessions/" + runId + "/write-handover.txt");
        assertThat(kept).as("kept for a resume in a new process").exists();
        assertThat(Files.readString(kept)).contains("Write {\"n\":1} → ok 1").doesNotContain("ens-att-");

        // Each row is its task's try: Claude's two attempts on step 0, then Gemini's on step 1 (not the gateway's alias step).
        List<Map<String, Object>> rows = rows("SELECT command, attempt, fallback_step FROM model_calls WHERE run_id = '" + runId
                + "' AND command LIKE 'agent:%' ORDER BY id");
        assertThat(rows).extracting(r -> r.get("command") + "#" + r.get("attempt") + "/" + r.get("fallback_step"))
                .containsExactly("agent:claude#1/0", "agent:claude#1/0", "agent:claude#2/0", "agent:claude#2/0", "agent:gemini#1/1");
    }

    private Path plan(String agent, String model) throws Exception {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, """
                {"request": "write hello", "tasks": [
                  {"id": "write", "title": "Write hello", "kind": "coding", "files": ["hello.txt"], "acceptance": "hello.txt exists",
                   "description": "write hello.txt", "agent": "%s", "model": "%s"}]}""".formatted(agent, model));
        return plan;
    }

    private static PlanTask task(Optional<String> agent) {
        return new PlanTask("write", "Write hello", TaskKind.CODING, "implementer", agent, Optional.empty(), List.of("hello.txt"),
                List.of(), "hello.txt exists", false, "write hello.txt");
    }

    private void config(String extra) throws Exception {
        config(extra, false);
    }

    /** {@code extra} is top-level YAML, or (with {@code models}) more entries of the models mapping. */
    private void config(String extra, boolean models) throws Exception {
        // unconfined: the fake CLIs count their runs in files outside their worktrees
        String base = """
                default_model: paid
                retry: { max_attempts: 1 }
                policy: { sandbox: 'off' }
                providers:
                  scripted: { wire: openai-chat, base_url: "%s/v1" }
                models:
                  paid: { provider: scripted, wire_name: paid-wire, family: test, context_window: 200000, max_output: 1024,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: 1000, output: 1000, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 8, benchmark: test } } }
                """.formatted(server.baseUrl());
        if (!models) {
            cli.repoConfig(base + extra);
            return;
        }
        int split = extra.indexOf('\n') + 1;
        cli.repoConfig(base + extra.substring(split) + extra.substring(0, split));
    }

    private List<Map<String, Object>> rows(String sql) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            return store.jdbi().withHandle(h -> h.createQuery(sql).mapToMap().list());
        }
    }

    private List<String> triesOf(String taskId) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            return store.jdbi().withHandle(h -> h.createQuery("SELECT model FROM agent_runs WHERE task_id = :task ORDER BY id")
                    .bind("task", taskId).mapTo(String.class).list());
        }
    }

    private static double sum(List<Map<String, Object>> rows) {
        return rows.stream().mapToDouble(r -> ((Number) r.get("cost_usd")).doubleValue()).sum();
    }

    private static JsonNode byName(JsonNode array, String name) {
        for (JsonNode n : array) if (n.path("name").asString().equals(name)) return n;
        throw new AssertionError("no " + name + " in " + array);
    }

    private void install(String claude, String gemini) throws Exception {
        CliSettings settings = CliSettings.defaults().withBinary("claude", script("claude", claude)).withHomeRoot(dir.resolve("homes"))
                .withCacheDir(dir.resolve("no-cache")).withVersionTimeout(Duration.ofSeconds(20)).withKillGrace(Duration.ofMillis(300));
        if (gemini != null) settings = settings.withBinary("gemini", script("gemini", gemini));
        cli.cliSettings = settings;
    }

    private Path script(String name, String text) throws Exception {
        Path fake = dir.resolve("bin/" + name);
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, text);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        return fake;
    }

    /**
     * As {@link AgentsThroughGatewayTest}'s Claude Code stand-in (one line in claude.runs per run);
     * with {@code fail}, it gives up after its requests without writing anything (an error result).
     */
    private String fakeClaude(int requests, boolean sameCall, int pauseMs, boolean fail) {
        String args = sameCall ? "{\\\"file_path\\\":\\\"a.txt\\\"}" : "{\\\"n\\\":$i}";
        String output = sameCall ? "ok" : "ok $i";
        String end = fail
                ? "echo '{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true,\"result\":\"the model is down\","
                        + "\"session_id\":\"sess-1\",\"total_cost_usd\":0.5,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}'\nexit 1"
                : "echo hi > hello.txt\n"
                        + "echo '{\"type\":\"assistant\",\"session_id\":\"sess-1\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"Done.\"}]}}'\n"
                        + "echo '{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"Done.\",\"session_id\":\"sess-1\","
                        + "\"total_cost_usd\":0.5,\"usage\":{\"input_tokens\":100000,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0,\"output_tokens\":20000}}'";
        return """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi
                echo run >> 'RUNS'
                model=""
                while [ $# -gt 0 ]; do if [ "$1" = "--model" ]; then model="$2"; fi; shift; done
                echo '{"type":"system","subtype":"init","session_id":"sess-1","model":"x"}'
                msgs='{"role":"user","content":"write hello.txt"}'
                i=1
                while [ $i -le REQUESTS ]; do
                  body="{\\"model\\":\\"$model\\",\\"max_tokens\\":100,\\"tools\\":[{\\"name\\":\\"Write\\",\\"description\\":\\"w\\",\\"input_schema\\":{\\"type\\":\\"object\\"}}],\\"messages\\":[$msgs]}"
                  curl -s -o /dev/null -X POST "$ANTHROPIC_BASE_URL/v1/messages" -H "x-api-key: $ANTHROPIC_API_KEY" \\
                    -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -d "$body"
                  msgs="$msgs,{\\"role\\":\\"assistant\\",\\"content\\":[{\\"type\\":\\"tool_use\\",\\"id\\":\\"c$i\\",\\"name\\":\\"Write\\",\\"input\\":ARGS}]},{\\"role\\":\\"user\\",\\"content\\":[{\\"type\\":\\"tool_result\\",\\"tool_use_id\\":\\"c$i\\",\\"content\\":\\"OUTPUT\\"}]}"
                  i=$((i+1))
                  sleep PAUSE
                done
                END
                """.replace("RUNS", dir.resolve("claude.runs").toString()).replace("REQUESTS", Integer.toString(requests))
                .replace("ARGS", args).replace("OUTPUT", output).replace("END", end)
                .replace("PAUSE", String.format(java.util.Locale.ROOT, "%.3f", pauseMs / 1000.0));
    }

    /** A Gemini CLI stand-in: keeps its prompt, asks the gateway once over the Gemini wire, writes hello.txt. */
    private String fakeGemini() {
        return """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "0.20.0"; exit 0; fi
                model=""
                while [ $# -gt 0 ]; do
                  case "$1" in -p) printf '%s' "$2" > 'PROMPT'; shift;; -m) model="$2"; shift;; esac
                  shift
                done
                curl -s -o /dev/null -X POST "$GOOGLE_GEMINI_BASE_URL/v1beta/models/$model:generateContent" -H "x-goog-api-key: $GEMINI_API_KEY" \\
                  -H 'content-type: application/json' \\
                  -d '{"contents":[{"role":"user","parts":[{"text":"write hello.txt"}]}],"tools":[{"functionDeclarations":[{"name":"write_file","parameters":{"type":"object"}}]}]}'
                echo hi > hello.txt
                echo '{"type":"init","session_id":"g-1","model":"x"}'
                echo '{"type":"message","role":"assistant","content":"Done."}'
                echo '{"type":"result","status":"success","stats":{"input_tokens":10,"output_tokens":2}}'
                """.replace("PROMPT", dir.resolve("gemini.prompt").toString());
    }
}
