package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.AgentRegistry;
import dev.ensemble.agents.cli.CliAgent;
import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Each real coding-agent CLI (installed by .ci/install-agent-clis.sh; a missing one fails here)
 * drives, in an {@code ensemble exec}, a catalog model served over a wire the CLI does not speak:
 * the in-process gateway translates the CLI's requests to the model's wire and the scripted
 * server's answers back. The scripted server answers in the model's wire only, so the file can
 * only be written if the tool call survives the translation both ways and the CLI runs it; the
 * next request must carry the tool's result, paired with its call as that wire demands. Every
 * upstream request is one ledger row of the attempt (its key, the CLI's wire), and the exec's and
 * the report's cost are the sum of those rows.
 */
@Tag("slow")
class RealClisAcrossWiresSlowTest {
    private static final String KEY = "sk-ensemble-across-wires-7311";

    /**
     * One CLI on one model of another wire. {@code tool} and {@code arguments}: the CLI's own shell
     * tool, as the model's wire calls it (the worktree's path is not known in advance, and each
     * shell tool runs in it).
     */
    record Case(String agent, String cliWire, String model, String modelWire, String wireName, String file, String tool,
                String arguments) {
        @Override
        public String toString() {
            return agent + " (" + cliWire + ") on " + model + " (" + modelWire + ")";
        }

        String marker() {
            return "MARK-" + agent.toUpperCase(java.util.Locale.ROOT);
        }

        String content() {
            return agent + " across wires";
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                shell("claude", "anthropic", "gpt-scripted", "openai-chat", "gpt-wire", "Bash", "command",
                        ",\"description\":\"write the file\""),
                shell("codex", "openai-responses", "claude-scripted", "anthropic", "claude-sonnet-4-5", "exec_command", "cmd", ""),
                shell("gemini", "gemini", "qwen-scripted", "ollama", "qwen-wire", "run_shell_command", "command",
                        ",\"description\":\"write the file\""),
                shell("opencode", "openai-chat", "gemini-scripted", "gemini", "gemini-2.5-flash", "bash", "command",
                        ",\"description\":\"write the file\""));
    }

    private static Case shell(String agent, String cliWire, String model, String modelWire, String wireName, String tool,
                              String commandField, String extra) {
        String file = agent + ".txt";
        String command = "printf '" + agent + " across wires\\\\n' > " + file;
        return new Case(agent, cliWire, model, modelWire, wireName, file, tool,
                "{\"" + commandField + "\":\"" + command + "\"" + extra + "}");
    }

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(90)  // four cases: the class stays within 6 minutes
    void theCliWritesItsFileThroughAToolCallOfAnotherWireAndEveryRequestIsALedgerRow(Case c) throws Exception {
        CliAgent adapter = AgentRegistry.cliAgents(CliSettings.defaults()).stream()
                .filter(a -> a.name().equals(c.agent())).findFirst().orElseThrow();
        assertThat(adapter.binary()).as(c.agent() + " is not installed: run .ci/install-agent-clis.sh").isPresent();

        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            CliHarness cli = new CliHarness(dir);
            Path keyFile = dir.resolve("scripted.key");
            Files.writeString(keyFile, KEY + "\n");
            cli.repoConfig(config(server.baseUrl(), keyFile));
            script(server, c);

            CliHarness.Run run = cli.run("exec", "--agent", c.agent(), "--model", c.model(), "--timeout", "80s", "--json",
                    c.marker() + ": write " + c.file() + " with your shell tool");
            String diagnosis = run.err() + "\nrequests: " + server.requests().stream()
                    .map(r -> r.protocol() + " " + r.method() + " " + r.path() + " -> " + r.status() + " (" + r.rule() + ")").toList();
            assertThat(run.exitCode()).as(diagnosis).isZero();
            JsonNode result = HttpTransport.JSON.readTree(run.out());
            String runId = result.path("run").asString();
            assertThat(result.path("agent").asString()).isEqualTo(c.agent());
            assertThat(result.path("model").asString()).isEqualTo(c.model());
            assertThat(result.path("status").asString()).as(diagnosis).isEqualTo("succeeded");
            assertThat(result.path("files").toString()).as(diagnosis).contains(c.file());
            assertThat(cli.git("show", "ensemble/" + runId + "/_run:" + c.file())).isEqualTo(c.content() + "\n");

            // Only the model's wire reached the server, with the catalog's key (never the attempt's):
            // the CLI's own wire was translated, and the CLI could reach nothing but the gateway.
            List<RecordedRequest> calls = server.modelCalls();
            assertThat(calls).as(diagnosis).isNotEmpty().allSatisfy(r -> {
                assertThat(r.protocol()).isEqualTo(c.modelWire());
                assertThat(r.model()).isEqualTo(c.wireName());
                if (!c.modelWire().equals("ollama")) assertThat(r.headers().toString()).contains(KEY);
                assertThat(r.headers().toString() + r.body()).doesNotContain("ens-att-");
            });
            // The tool call went out in the model's wire; the next request brought its result back, paired with it.
            assertThat(calls).as(diagnosis).anySatisfy(r -> assertThat(r.rule()).isEqualTo(c.agent() + " writes " + c.file()));
            RecordedRequest withResult = calls.stream().filter(r -> r.rule().equals(c.agent() + " reads the result"))
                    .findFirst().orElseThrow(() -> new AssertionError("no request carried the tool's result: " + diagnosis));
            ToolRoundTrip.assertPaired(c.modelWire(), withResult.parsed().body(), c.tool(),
                    HttpTransport.JSON.readTree(c.arguments()));

            // One ledger row per upstream request, each the attempt's: its key, the CLI's wire, the model.
            List<Map<String, Object>> rows = rows(cli, "SELECT command, run_id, task_id, attempt, key_id, client_wire, model,"
                    + " outcome, input_tokens, cost_usd FROM model_calls ORDER BY id");
            assertThat(rows).as(diagnosis).hasSize(calls.size()).allSatisfy(row -> {
                assertThat(row.get("command")).isEqualTo("exec:" + c.agent());
                assertThat(row.get("run_id")).isEqualTo(runId);
                assertThat(row.get("task_id")).isEqualTo("task");
                assertThat(((Number) row.get("attempt")).intValue()).isEqualTo(1);
                assertThat((String) row.get("key_id")).startsWith("att-");
                assertThat(row.get("client_wire")).isEqualTo(c.cliWire());
                assertThat(row.get("model")).isEqualTo(c.model());
                assertThat(row.get("outcome")).isEqualTo("ok");
                assertThat(((Number) row.get("input_tokens")).longValue()).isPositive();
            });
            assertThat(rows.stream().map(r -> r.get("key_id")).distinct()).as("one key for the attempt").hasSize(1);
            double sum = rows.stream().mapToDouble(r -> ((Number) r.get("cost_usd")).doubleValue()).sum();
            assertThat(sum).isPositive();
            assertThat(result.path("cost_usd").asDouble()).isCloseTo(sum, Offset.offset(1e-9));

            // The run's report says the same.
            CliHarness.Run report = cli.run("report", runId, "--json");
            assertThat(report.exitCode()).as(report.all()).isZero();
            JsonNode summary = HttpTransport.JSON.readTree(report.out()).path("summary");
            assertThat(summary.path("calls").asLong()).isEqualTo(rows.size());
            assertThat(summary.path("cost_usd").asDouble()).isCloseTo(sum, Offset.offset(1e-9));
            assertThat(run.all() + report.all()).doesNotContain(KEY);
        }
    }

    /**
     * The CLI's first turn (tools offered, no result yet) is its shell tool's call, in the model's
     * wire; the turn that brings the result back gets a final text, and so does any side call
     * (titles, summaries: no tools).
     */
    private static void script(ScriptedModelServer server, Case c) {
        server.localModels(List.of(c.wireName()));  // an Ollama model must be pulled to be usable
        server.rule(Rule.answer(Reply.toolCall(c.tool(), c.arguments())).forProtocol(c.modelWire()).whenTools(true)
                .whenToolResult(false).whenPrompt(c.marker()).named(c.agent() + " writes " + c.file()));
        server.rule(Rule.text("Done.").forProtocol(c.modelWire()).whenToolResult(true).named(c.agent() + " reads the result"));
        server.rule(Rule.text("Done.").named("side call"));
    }

    /** One provider per wire on the same scripted server, each model priced, so that every row costs something. */
    private static String config(String baseUrl, Path keyFile) {
        return """
                default_model: gpt-scripted
                retry: { max_attempts: 1 }
                providers:
                  s-chat: { wire: openai-chat, base_url: "%1$s/v1", api_key: "file:%2$s" }
                  s-anthropic: { wire: anthropic, base_url: "%1$s", api_key: "file:%2$s" }
                  s-ollama: { wire: ollama, base_url: "%1$s" }
                  s-gemini: { wire: gemini, base_url: "%1$s", api_key: "file:%2$s" }
                models:
                  gpt-scripted: { provider: s-chat, wire_name: gpt-wire, %3$s }
                  claude-scripted: { provider: s-anthropic, wire_name: claude-sonnet-4-5, %3$s }
                  qwen-scripted: { provider: s-ollama, wire_name: qwen-wire, %3$s }
                  gemini-scripted: { provider: s-gemini, wire_name: gemini-2.5-flash, %3$s }
                """.formatted(baseUrl, keyFile, "family: test, context_window: 200000, max_output: 8192, tokens_per_second: 50,"
                + " tools: true, pricing: { input: 1.25, output: 10, cached_input: 0.125, source: test, as_of: 2026-11-01 },"
                + " capabilities: { coding: { score: 9, benchmark: test } }");
    }

    private static List<Map<String, Object>> rows(CliHarness cli, String sql) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            return store.jdbi().withHandle(h -> h.createQuery(sql).mapToMap().list());
        }
    }
}
