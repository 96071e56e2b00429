package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code exec} with a CLI agent goes through the in-process gateway: a fake Claude Code that
 * speaks the Anthropic wire (with curl) drives a model served over OpenAI Chat by the scripted
 * server. Every upstream request is a ledger row with the attempt's attribution and the exec's
 * cost is their sum; the task budget and the runaway guard stop the agent mid-run, and nothing
 * past the refusal reaches the upstream.
 */
class AgentsThroughGatewayTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.rule(Rule.text("Written."));
        cli = new CliHarness(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void everyRequestOfTheAgentIsALedgerRowOfItsAttemptAndTheExecCostsTheirSum() throws Exception {
        install(fakeClaude(3, false, 0));
        config("");
        CliHarness.Run run = cli.run("exec", "--agent", "claude", "--json", "write hello.txt");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        String runId = result.path("run").asString();

        assertThat(server.modelCalls()).hasSize(3);
        List<Map<String, Object>> rows = rows("SELECT command, run_id, task_id, attempt, cost_usd FROM model_calls ORDER BY id");
        assertThat(rows).hasSize(3).allSatisfy(row -> {
            assertThat(row.get("command")).isEqualTo("exec:claude");
            assertThat(row.get("run_id")).isEqualTo(runId);
            assertThat(row.get("task_id")).isEqualTo("task");
        });
        double sum = rows.stream().mapToDouble(r -> ((Number) r.get("cost_usd")).doubleValue()).sum();
        assertThat(sum).isPositive();
        assertThat(result.path("cost_usd").asDouble()).as("not the CLI's own 100k/20k tokens").isCloseTo(sum, Offset.offset(1e-9));
        assertThat(result.path("agent_reported_cost_usd").asDouble()).isEqualTo(0.5);

        // Each request is also an event of the run as it happens: exec's live view shows it (go's transcripts keep it).
        assertThat(run.err().lines().filter(line -> line.contains("call paid ")).toList()).hasSize(3)
                .allSatisfy(line -> assertThat(line).contains(" tokens $").doesNotContain("ens-att-"));
    }

    @Test
    void aTaskBudgetRunningOutStopsTheAgentAtItsNextRequestAndNothingPastItIsSent() throws Exception {
        install(fakeClaude(40, false, 200));
        // unconfined, so the fake CLI can count its requests in a file outside its worktree
        config("budget: { task_usd: 0.4 }\npolicy: { sandbox: 'off' }\n");
        CliHarness.Run run = cli.run("exec", "--agent", "claude", "--json", "write hello.txt");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        assertThat(result.path("failure").asString()).startsWith("task budget:").contains("not sent");

        int sent = server.modelCalls().size();
        assertThat(sent).as("stopped long before its 40 requests").isBetween(1, 10);
        List<Map<String, Object>> rows = rows("SELECT cost_usd FROM model_calls");
        assertThat(rows).hasSize(sent);
        assertThat(rows.stream().mapToDouble(r -> ((Number) r.get("cost_usd")).doubleValue()).sum()).isLessThanOrEqualTo(0.4);
        assertThat(Files.readAllLines(dir.resolve("progress"))).as("the agent was stopped, not left to go on asking")
                .hasSizeLessThan(40);
    }

    @Test
    void anAgentRepeatingOneToolCallIsStoppedByTheRunawayGuard() throws Exception {
        install(fakeClaude(20, true, 100));
        config("policy: { runaway: { same_tool_call: 3 } }\n");
        CliHarness.Run run = cli.run("exec", "--agent", "claude", "--json", "write hello.txt");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        assertThat(result.path("failure").asString()).startsWith("runaway:").contains("3 times in a row");
        assertThat(server.modelCalls()).as("the 4th request carries the 3rd identical call: refused").hasSize(3);
    }

    @Test
    void withTheGatewayOffTheCliCallsItsProviderItself() throws Exception {
        install(fakeClaude(2, false, 0));
        config("gateway: { agents: false }\n");
        // The provider speaks OpenAI Chat, which Claude Code cannot drive without the gateway.
        CliHarness.Run run = cli.run("exec", "--agent", "claude", "--model", "paid", "write hello.txt");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("claude drives anthropic models");
        assertThat(server.modelCalls()).isEmpty();
    }

    void config(String extra) throws Exception {
        cli.repoConfig("""
                default_model: paid
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: openai-chat, base_url: "%s/v1" }
                models:
                  paid: { provider: scripted, wire_name: paid-wire, family: test, context_window: 200000, max_output: 1024,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: 1000, output: 1000, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 8, benchmark: test } } }
                """.formatted(server.baseUrl()) + extra);
    }

    List<Map<String, Object>> rows(String sql) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            return store.jdbi().withHandle(h -> h.createQuery(sql).mapToMap().list());
        }
    }

    void install(String script) throws Exception {
        Path fake = dir.resolve("bin/claude");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, script);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        cli.cliSettings = CliSettings.defaults().withBinary("claude", fake).withHomeRoot(dir.resolve("homes"))
                .withCacheDir(dir.resolve("no-cache")).withVersionTimeout(Duration.ofSeconds(20)).withKillGrace(Duration.ofMillis(300));
    }

    /**
     * A Claude Code stand-in: {@code requests} Messages requests to ANTHROPIC_BASE_URL with its key,
     * each with the conversation so far and one more Write call and result (the same call and
     * result each time when {@code sameCall}), going on whatever the answer (as a retrying CLI
     * does), then hello.txt and a stream-json result that claims 100k/20k tokens and $0.50.
     */
    String fakeClaude(int requests, boolean sameCall, int pauseMs) {
        String args = sameCall ? "{\\\"file_path\\\":\\\"a.txt\\\"}" : "{\\\"n\\\":$i}";
        String output = sameCall ? "ok" : "ok $i";
        return """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi
                model=""
                while [ $# -gt 0 ]; do if [ "$1" = "--model" ]; then model="$2"; fi; shift; done
                echo '{"type":"system","subtype":"init","session_id":"sess-1","model":"x"}'
                msgs='{"role":"user","content":"write hello.txt"}'
                i=1
                while [ $i -le REQUESTS ]; do
                  body="{\\"model\\":\\"$model\\",\\"max_tokens\\":100,\\"tools\\":[{\\"name\\":\\"Write\\",\\"description\\":\\"w\\",\\"input_schema\\":{\\"type\\":\\"object\\"}}],\\"messages\\":[$msgs]}"
                  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$ANTHROPIC_BASE_URL/v1/messages" -H "x-api-key: $ANTHROPIC_API_KEY" \\
                    -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -d "$body")
                  echo "request $i: $code" >> 'PROGRESS'
                  msgs="$msgs,{\\"role\\":\\"assistant\\",\\"content\\":[{\\"type\\":\\"tool_use\\",\\"id\\":\\"c$i\\",\\"name\\":\\"Write\\",\\"input\\":ARGS}]},{\\"role\\":\\"user\\",\\"content\\":[{\\"type\\":\\"tool_result\\",\\"tool_use_id\\":\\"c$i\\",\\"content\\":\\"OUTPUT\\"}]}"
                  i=$((i+1))
                  sleep PAUSE
                done
                echo hi > hello.txt
                echo '{"type":"assistant","session_id":"sess-1","message":{"content":[{"type":"text","text":"Done."}]}}'
                echo '{"type":"result","subtype":"success","is_error":false,"result":"Done.","session_id":"sess-1","total_cost_usd":0.5,"usage":{"input_tokens":100000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20000}}'
                """.replace("PROGRESS", dir.resolve("progress").toString()).replace("REQUESTS", Integer.toString(requests)).replace("ARGS", args).replace("OUTPUT", output)
                .replace("PAUSE", String.format(java.util.Locale.ROOT, "%.3f", pauseMs / 1000.0));
    }
}
