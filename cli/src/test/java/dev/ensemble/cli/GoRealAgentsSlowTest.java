package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.ClaudeAgent;
import dev.ensemble.agents.cli.CliAgent;
import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.agents.cli.CodexAgent;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.engine.store.LedgerEntry;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `ensemble go` end to end with two real coding-agent CLIs in one run (installed by
 * .ci/install-agent-clis.sh; the slow profile's CI installs them, so a missing one fails here
 * rather than skipping). The plan hints Claude Code for one implementation and Codex for the
 * other; both run at once after the builtin agent wrote the tests (TDD), each pointed at the
 * scripted server through ensemble's own catalog (a provider with a wire, a base URL and a key
 * reference), and each makes the real tool call its CLI uses to write its file. A third task's
 * agent (claude again) edits a file it does not own and is rejected by the Enforcer. The judge runs
 * a real test script; the report's totals must equal the ledger's rows for the run.
 */
@Tag("slow")
class GoRealAgentsSlowTest {
    private static final String KEY = "sk-ensemble-go-real-5150";

    private static final String PLAN = """
            {"request": "greet in two voices",
             "specs": [{"path": "specs/greeting.md", "content": "# Greeting\\nA says hello, B says hi back.\\n"}],
             "tasks": [
               {"id": "tests", "title": "Write the greeting check", "kind": "coding", "agent": "builtin", "model": "local-scripted",
                "files": ["tests/check.sh"], "acceptance": "the check exists", "description": "MARK-TESTS write the check"},
               {"id": "impl-a", "title": "Implement A", "kind": "coding", "agent": "claude", "files": ["src/a.txt"],
                "depends_on": ["tests"], "test_first": true, "acceptance": "a says hello", "description": "MARK-A write src/a.txt"},
               {"id": "impl-b", "title": "Implement B", "kind": "coding", "agent": "codex", "files": ["src/b.txt"],
                "depends_on": ["tests"], "test_first": true, "acceptance": "b says hi back", "description": "MARK-B write src/b.txt"},
               {"id": "notes", "title": "Write the notes", "kind": "coding", "agent": "claude", "files": ["docs/notes.md"],
                "depends_on": ["tests"], "acceptance": "notes exist", "description": "MARK-NOTES write the notes"}
             ]}""";

    /** The judge's test: the spec is there, and each implementation present says what it must. */
    private static final String CHECK = "test -f specs/greeting.md || exit 1\\n"
            + "if [ -f src/a.txt ]; then grep -qx hello src/a.txt || exit 1; fi\\n"
            + "if [ -f src/b.txt ]; then grep -qx 'hi back' src/b.txt || exit 1; fi\\n";

    @TempDir Path dir;

    @Test
    @Timeout(300)
    void twoRealClisImplementInParallelAndAThirdAgentsViolationIsRejected() throws Exception {
        for (CliAgent cli : List.of(new ClaudeAgent(CliSettings.defaults()), new CodexAgent(CliSettings.defaults()))) {
            assertThat(cli.binary()).as(cli.name() + " is not installed: run .ci/install-agent-clis.sh").isPresent();
        }
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            CliHarness cli = new CliHarness(dir);
            Path keyFile = dir.resolve("scripted.key");
            Files.writeString(keyFile, KEY + "\n");
            // A CLI agent's model is an ordinary catalog entry: its provider's wire says which CLIs can
            // drive it, base_url and api_key are what the adapter hands the CLI (env or private config).
            cli.repoConfig("""
                    default_model: local-scripted
                    retry: { max_attempts: 1 }
                    providers:
                      scripted: { wire: ollama, base_url: "%1$s", local: true }
                      scripted-anthropic: { wire: anthropic, base_url: "%1$s", api_key: "file:%2$s", local: true }
                      scripted-responses: { wire: openai-responses, base_url: "%1$s/v1", api_key: "file:%2$s", local: true }
                    models:
                      local-scripted: { provider: scripted, wire_name: local-scripted, family: test, context_window: 32768,
                        max_output: 2048, tokens_per_second: 50, local: true, tools: true,
                        pricing: { input: 0, output: 0, cached_input: 0, source: local, as_of: 2026-11-01 },
                        capabilities: { planning: { score: 8, benchmark: test }, coding: { score: 6, benchmark: test },
                          review: { score: 8, benchmark: test }, search: { score: 8, benchmark: test } } }
                      claude-scripted: { provider: scripted-anthropic, wire_name: claude-sonnet-4-5, family: claude,
                        context_window: 200000, max_output: 8192, tokens_per_second: 50, tools: true,
                        pricing: { input: 3, output: 15, cached_input: 0.3, source: test, as_of: 2026-11-01 },
                        capabilities: { coding: { score: 9, benchmark: test } } }
                      codex-scripted: { provider: scripted-responses, wire_name: scripted-coder, family: gpt,
                        context_window: 200000, max_output: 8192, tokens_per_second: 50, tools: true,
                        pricing: { input: 1.25, output: 10, cached_input: 0.125, source: test, as_of: 2026-11-01 },
                        capabilities: { coding: { score: 9, benchmark: test } } }
                    local_only: true
                    # the real CLIs must do their job inside the box: without a working sandbox this run refuses (exit 2)
                    policy: { sandbox: required }
                    # each CLI straight to its provider's wire: what this test checks (GoThroughGatewayTest covers the gateway)
                    gateway: { agents: false }
                    """.formatted(server.baseUrl(), keyFile));
            script(server);
            String headBefore = cli.git("rev-parse", "HEAD");
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, PLAN);

            // The judge's test command runs the script the tests task wrote, and notes where it ran.
            CliHarness.Run run = cli.run("go", "--plan", plan.toString(), "--parallel", "3", "--timeout", "2m",
                    "--test-command", "sh tests/check.sh", "--json");

            System.out.println(run.err());  // the progress and every agent event, for a failure in CI
            String diagnosis = run.err() + "\nrequests: " + server.requests().stream()
                    .map(r -> r.protocol() + " " + r.method() + " " + r.path() + " -> " + r.status() + " (" + r.rule() + ")").toList();
            // The notes task's README.md edit never lands: Claude Code's own permission rules (derived from
            // ownership) refuse it first, or the Enforcer rejects the task.
            assertThat(run.exitCode()).as(diagnosis).isIn(0, 1);
            JsonNode report = HttpTransport.JSON.readTree(run.out());
            String runId = report.path("run_id").asString();
            JsonNode tests = task(report, "tests");
            JsonNode implA = task(report, "impl-a");
            JsonNode implB = task(report, "impl-b");
            JsonNode notes = task(report, "notes");
            assertThat(tests.path("status").asString()).as(diagnosis).isEqualTo("passed");
            assertThat(implA.path("status").asString()).as(diagnosis).isEqualTo("passed");
            assertThat(implB.path("status").asString()).as(diagnosis).isEqualTo("passed");
            assertThat(implA.path("agent").asString()).isEqualTo("claude");
            assertThat(implA.path("model").asString()).isEqualTo("claude-scripted");
            assertThat(implB.path("agent").asString()).isEqualTo("codex");
            assertThat(implB.path("model").asString()).isEqualTo("codex-scripted");
            // The judge ran the test script, and it passed, in each accepted task's worktree (never the rejected one's).
            assertThat(implA.path("verdict").asString()).contains("PASS").contains("tests");
            // (The judge's commands run in the sandbox too, where nothing outside the worktree is writable:
            // the verdicts say where tests ran.)
            for (JsonNode accepted : List.of(tests, implA, implB)) {
                assertThat(accepted.path("verdict").asString()).as(diagnosis).contains("PASS").contains("tests");
            }

            // The violation: claude edited README.md, which the notes task does not own; rejected on every attempt.
            assertThat(notes.path("agent").asString()).isEqualTo("claude");
            if (notes.path("status").asString().equals("failed")) {
                assertThat(notes.path("failure_reason").asString())
                        .contains("enforcer: rejected (claude): outside-ownership README.md");
            }

            // Both CLIs' files are on the run branch; the rejected edit and the notes are not.
            String branch = "ensemble/" + runId + "/_run";
            assertThat(cli.git("show", branch + ":src/a.txt")).isEqualTo("hello\n");
            assertThat(cli.git("show", branch + ":src/b.txt")).isEqualTo("hi back\n");
            assertThat(cli.git("show", branch + ":tests/check.sh")).contains("grep -qx hello src/a.txt");
            assertThat(cli.git("show", branch + ":specs/greeting.md")).contains("A says hello");
            assertThat(cli.git("show", branch + ":README.md")).isEqualTo("# test repo\n");
            if (notes.path("status").asString().equals("failed")) {
                assertThat(cli.git("ls-tree", "-r", "--name-only", branch)).doesNotContain("docs/");
            }
            // The user's branch and working tree are untouched.
            assertThat(cli.git("rev-parse", "HEAD")).isEqualTo(headBefore);
            assertThat(cli.git("status", "--porcelain", "--untracked-files=no")).isEmpty();
            assertThat(cli.repo.resolve("src")).doesNotExist();

            // Each CLI spoke its own wire to the catalog's provider, with the key from the catalog's reference.
            List<RecordedRequest> requests = server.requests();
            assertThat(requests).as(diagnosis).anySatisfy(r -> {
                assertThat(r.protocol()).isEqualTo("anthropic");
                assertThat(r.rule()).isEqualTo("claude writes src/a.txt");
                assertThat(r.headers().toString()).contains(KEY);
            });
            assertThat(requests).as(diagnosis).anySatisfy(r -> {
                assertThat(r.protocol()).isEqualTo("openai-responses");
                assertThat(r.rule()).isEqualTo("codex writes src/b.txt");
                assertThat(r.headers().toString()).contains(KEY);
            });

            // TDD: neither implementation's agent was asked anything before the tests task's last model turn.
            int lastTests = last(requests, r -> r.body().contains("MARK-TESTS") && r.protocol().equals("ollama"));
            assertThat(lastTests).as(diagnosis).isNotNegative();
            assertThat(first(requests, r -> r.body().contains("MARK-A"))).isGreaterThan(lastTests);
            assertThat(first(requests, r -> r.body().contains("MARK-B"))).isGreaterThan(lastTests);
            // In parallel: both implementations had started before either of them finished.
            List<String> progress = run.err().lines().toList();
            int firstEnd = first(progress, l -> l.matches("^[✓✗↻] impl-[ab]\\b.*"));
            assertThat(first(progress, l -> l.startsWith("▶ impl-a"))).as(run.err()).isBetween(0, firstEnd);
            assertThat(first(progress, l -> l.startsWith("▶ impl-b"))).as(run.err()).isBetween(0, firstEnd);

            // The report's totals are the ledger's rows for the run, the CLI agents' own rows included.
            List<LedgerEntry> rows = ledgerRows(cli, runId);
            JsonNode summary = report.path("summary");
            assertThat(summary.path("calls").asLong()).isEqualTo(rows.size());
            assertThat(summary.path("input_tokens").asLong()).isEqualTo(rows.stream().mapToLong(LedgerEntry::inputTokens).sum());
            assertThat(summary.path("output_tokens").asLong()).isEqualTo(rows.stream().mapToLong(LedgerEntry::outputTokens).sum());
            assertThat(summary.path("cached_input_tokens").asLong())
                    .isEqualTo(rows.stream().mapToLong(LedgerEntry::cachedInputTokens).sum());
            assertThat(summary.path("cost_usd").asDouble())
                    .isCloseTo(rows.stream().mapToDouble(LedgerEntry::costUsd).sum(), org.assertj.core.data.Offset.offset(1e-9));
            for (String agent : List.of("claude", "codex")) {
                assertThat(rows).as("ledger rows of " + agent).anySatisfy(r -> {
                    assertThat(r.command()).isEqualTo("agent:" + agent);
                    assertThat(r.inputTokens()).isPositive();
                    assertThat(r.costUsd()).isPositive();
                });
            }
            // Each CLI task's tokens in the report are its agent's ledger rows (one per agent run).
            for (JsonNode line : List.of(implA, implB)) {
                String taskId = line.path("id").asString();
                List<LedgerEntry> agentRows = rows.stream()
                        .filter(r -> r.taskId().equals(taskId) && r.command().startsWith("agent:")).toList();
                assertThat(agentRows).as("agent rows of " + taskId).hasSize(1);
                assertThat(line.path("input_tokens").asLong()).isEqualTo(agentRows.getFirst().inputTokens());
                assertThat(line.path("output_tokens").asLong()).isEqualTo(agentRows.getFirst().outputTokens());
            }
            assertThat(summary.path("passed").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(summary.path("passed").asLong() + summary.path("failed").asLong()).isEqualTo(4);

            // The report on disk names the agents, and no output carries the key.
            String markdown = Files.readString(cli.repo.resolve(".ensemble/reports/" + runId + ".md"));
            assertThat(markdown).contains("claude").contains("codex").contains("claude-scripted").contains("codex-scripted");
            assertThat(markdown + run.all()).doesNotContain(KEY);
        }
    }

    /**
     * Each agent's first turn (tools offered, no tool result yet) is the tool call that writes its
     * file, in its CLI's own tool; every later turn is a final text. The reviewer passes.
     */
    private static void script(ScriptedModelServer server) {
        server.localModels(List.of("local-scripted"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        // The builtin agent (Ollama wire) writes the test script.
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"tests/check.sh\",\"content\":\"" + CHECK + "\"}"))
                .forProtocol("ollama").whenTools(true).whenToolResult(false).whenPrompt("MARK-TESTS").named("builtin writes the check"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).forProtocol("ollama").whenTools(true)
                .whenToolResult(true).named("builtin finishes"));
        // Claude Code (Anthropic Messages): its Bash tool runs in the worktree, whose path the script cannot know.
        server.rule(Rule.answer(bash("mkdir -p src && printf 'hello\\\\n' > src/a.txt")).forProtocol("anthropic")
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("claude writes src/a.txt"));
        server.rule(Rule.answer(bash("printf 'taken over\\\\n' > README.md")).forProtocol("anthropic")
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-NOTES").named("claude edits README.md"));
        server.rule(Rule.text("Done.").forProtocol("anthropic").named("claude final"));
        // Codex (OpenAI Responses): its shell tool, in the worktree it was started in (-C).
        server.rule(Rule.answer(Reply.toolCall("exec_command", "{\"cmd\":\"mkdir -p src && printf 'hi back\\\\n' > src/b.txt\"}"))
                .forProtocol("openai-responses").whenTools(true).whenToolResult(false).whenPrompt("MARK-B").named("codex writes src/b.txt"));
        server.rule(Rule.text("Done.").forProtocol("openai-responses").named("codex final"));
    }

    private static Reply bash(String command) {
        return Reply.toolCall("Bash", "{\"command\":\"" + command + "\",\"description\":\"write the file\"}");
    }

    private static List<LedgerEntry> ledgerRows(CliHarness cli, String runId) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (AppContext app = new AppContext(new Terminal(sink, sink, false), cli.repo,
                new ConfigLoader(cli.userConfig, cli.repo.resolve("ensemble.yaml"), Map.of()))) {
            return app.ledger().recent(100_000).stream().filter(r -> r.runId().equals(runId)).toList();
        }
    }

    private static JsonNode task(JsonNode report, String id) {
        for (JsonNode task : report.path("tasks")) if (task.path("id").asString().equals(id)) return task;
        throw new AssertionError("no task " + id + " in the report");
    }

    private static <T> int first(List<T> items, Predicate<T> test) {
        for (int i = 0; i < items.size(); i++) if (test.test(items.get(i))) return i;
        return -1;
    }

    private static <T> int last(List<T> items, Predicate<T> test) {
        int found = -1;
        for (int i = 0; i < items.size(); i++) if (test.test(items.get(i))) found = i;
        return found;
    }
}
