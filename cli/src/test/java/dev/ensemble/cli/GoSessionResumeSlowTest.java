package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.ClaudeAgent;
import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 of `ensemble go` while the real Claude Code is between two turns of a task, then
 * `ensemble resume`: the interrupted agent is resumed by its session id, in the worktree the kill
 * left. Claude's first turn writes the file and its second turn stalls at the scripted server; after
 * the resume Claude's next request carries the session's earlier conversation (resumed, not
 * restarted; Claude Code itself drops the unfinished turn), and the file written before the kill is
 * what lands on the run branch.
 */
@Tag("slow")
class GoSessionResumeSlowTest {
    private static final String KEY = "sk-ensemble-session-resume-7781";
    private static final String PLAN = """
            {"request": "greet",
             "tasks": [
               {"id": "impl-a", "title": "Implement A", "kind": "coding", "agent": "claude", "files": ["src/a.txt"],
                "acceptance": "a says hello", "description": "MARK-A write src/a.txt"}
             ]}""";

    @TempDir Path dir;

    @Test
    @Timeout(300)
    void aKilledClaudeTaskIsResumedBySessionIdInTheWorktreeItLeft() throws Exception {
        assertThat(new ClaudeAgent(CliSettings.defaults()).binary()).as("claude is not installed: run .ci/install-agent-clis.sh").isPresent();
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            CliHarness cli = new CliHarness(dir);
            Path keyFile = dir.resolve("scripted.key");
            Files.writeString(keyFile, KEY + "\n");
            cli.repoConfig("""
                    default_model: local-scripted
                    retry: { max_attempts: 1 }
                    providers:
                      scripted: { wire: ollama, base_url: "%1$s", local: true }
                      scripted-anthropic: { wire: anthropic, base_url: "%1$s", api_key: "file:%2$s", local: true }
                    models:
                      local-scripted: %3$s
                      claude-scripted: { provider: scripted-anthropic, wire_name: claude-sonnet-4-5, family: claude,
                        context_window: 200000, max_output: 8192, tokens_per_second: 50, tools: true,
                        pricing: { input: 3, output: 15, cached_input: 0.3, source: test, as_of: 2026-11-01 },
                        capabilities: { coding: { score: 9, benchmark: test } } }
                    local_only: true
                    # the real CLIs must do their job inside the box: without a working sandbox this run refuses (exit 2)
                    policy: { sandbox: required }
                    # claude straight to its Anthropic-wire provider: the rules below key on that wire
                    gateway: { agents: false }
                    """.formatted(server.baseUrl(), keyFile, CliHarness.scriptedModel("local-scripted", "test", 8)));
            server.localModels(List.of("local-scripted"));
            server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
            // Turn 2 of the first run (after the tool result, before any restart note) stalls: the kill comes there.
            server.rule(Rule.fault(new Fault.Stall(Duration.ofSeconds(120))).forProtocol("anthropic").whenTools(true)
                    .whenToolResult(true).whenPrompt("^(?!.*ensemble was restarted).*MARK-A").times(1).named("claude stalls"));
            server.rule(Rule.text("Done: src/a.txt was already written before the restart.").forProtocol("anthropic")
                    .whenPrompt("ensemble was restarted").named("claude after resume"));
            server.rule(Rule.answer(Reply.toolCall("Bash", "{\"command\":\"mkdir -p src && printf 'hello\\\\n' > src/a.txt\","
                    + "\"description\":\"write the file\"}")).forProtocol("anthropic").whenTools(true).whenToolResult(false)
                    .whenPrompt("MARK-A").named("claude writes src/a.txt"));
            server.rule(Rule.text("Done.").forProtocol("anthropic").named("claude other"));
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, PLAN);

            Path output = dir.resolve("child.out");
            Process child = GoCrashResumeTest.startEnsemble(cli, output, Map.of(), "go", "--plan", plan.toString(), "--timeout", "3m");
            try {
                await(child, output, "claude's second turn reached the server", () -> ruleHits(server, "claude stalls") == 1);
            } finally {
                GoCrashResumeTest.kill9(child);
            }
            String childOut = Files.readString(output);
            // The session id was stored (and transcribed) when Claude named it, long before the kill.
            Path transcript;
            try (Stream<Path> files = Files.walk(cli.repo.resolve(".ensemble/sessions"))) {
                transcript = files.filter(p -> p.getFileName().toString().equals("impl-a-a1-f0.jsonl")).findFirst().orElseThrow();
            }
            assertThat(Files.readString(transcript)).as(childOut).contains("\"kind\":\"session\"");
            assertThat(cli.git("worktree", "list")).as("the interrupted worktree stays for the resume").contains("impl-a");

            CliHarness.Run resumed = cli.run("resume", "--last", "--json");
            String diagnosis = childOut + "\n" + resumed.err() + "\nrequests: " + server.requests().stream()
                    .map(r -> r.protocol() + " " + r.path() + " -> " + r.status() + " (" + r.rule() + ")").toList();
            assertThat(resumed.exitCode()).as(diagnosis).isZero();
            JsonNode report = HttpTransport.JSON.readTree(resumed.out());
            JsonNode task = report.path("tasks").get(0);
            assertThat(task.path("status").asString()).as(diagnosis).isEqualTo("passed");
            assertThat(task.path("agent").asString()).isEqualTo("claude");

            // Resumed, not restarted: Claude's request after the restart carries the session's earlier conversation
            // (the first run's prompt, before the restart note), which a new session would not have.
            List<RecordedRequest> afterResume = server.requests().stream().filter(r -> "claude after resume".equals(r.rule())).toList();
            assertThat(afterResume).as(diagnosis).isNotEmpty();
            JsonNode messages = HttpTransport.JSON.readTree(afterResume.getFirst().body()).path("messages");
            assertThat(messages.size()).as("messages of the resumed session").isGreaterThanOrEqualTo(3);
            assertThat(messages.get(0).toString()).contains("MARK-A write src/a.txt").doesNotContain("ensemble was restarted");
            assertThat(messages.get(messages.size() - 1).toString()).contains("ensemble was restarted");
            assertThat(ruleHits(server, "claude writes src/a.txt")).as("the file was written once, before the kill").isEqualTo(1);
            // The file from before the kill, in the worktree the resume continued, is what landed.
            String branch = "ensemble/" + report.path("run_id").asString() + "/_run";
            assertThat(cli.git("show", branch + ":src/a.txt")).isEqualTo("hello\n");
            assertThat(cli.git("worktree", "list").strip().lines()).as("only the main working tree").hasSize(1);
            assertThat(resumed.all() + childOut).doesNotContain(KEY);
        }
    }

    private static long ruleHits(ScriptedModelServer server, String rule) {
        return server.requests().stream().filter(r -> rule.equals(r.rule())).count();
    }

    private static void await(Process child, Path output, String what, BooleanSupplier condition) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertThat(child.isAlive()).as("ensemble go ended before: %s; its output:\n%s", what, Files.readString(output)).isTrue();
            assertThat(System.nanoTime()).as("waited for: %s; output:\n%s", what, Files.readString(output)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
