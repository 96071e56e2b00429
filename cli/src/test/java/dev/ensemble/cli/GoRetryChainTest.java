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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A task that fails every try walks its chain as the README says: retried once on its first model,
 * then each next model once (A, A, B, C), in the order routed when the task started, although each
 * failure is recorded, and moves the router, before the next try. The next task is routed with
 * what was learnt.
 */
class GoRetryChainTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        // quality-first on free local models: the order is the capability score moved by outcomes. One
        // failure of model-a (0.80 with a prior of 10 → 0.73) ranks it below model-b (0.79) and model-c (0.78).
        cli.repoConfig("""
                default_model: model-a
                retry: { max_attempts: 1 }
                routing: { strategy: quality-first }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  model-a: %s
                  model-b: %s
                  model-c: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("model-a", "fa", 8.0),
                CliHarness.scriptedModel("model-b", "fb", 7.9), CliHarness.scriptedModel("model-c", "fc", 7.8)));
        server.localModels(List.of("model-a", "model-b", "model-c"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/a.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-A").named("write a"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"src/b.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt("MARK-B").named("write b"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void aTaskFailingEveryTryRunsAAThenBThenCAndTheNextTaskIsRoutedWithWhatWasLearnt() throws Exception {
        Path plan = dir.resolve("plan.json");
        // The test command fails for every try of impl-a; impl-b (after it, one task at a time) is routed afresh.
        Files.writeString(plan, """
                {"request": "a then b", "tasks": [
                  {"id": "impl-a", "title": "Implement A", "kind": "coding", "files": ["src/a.txt"], "acceptance": "a", "description": "MARK-A"},
                  {"id": "impl-b", "title": "Implement B", "kind": "coding", "files": ["src/b.txt"], "acceptance": "b", "description": "MARK-B"}]}""");
        CliHarness.Run run = cli.run("go", "--plan", plan.toString(), "--parallel", "1", "--json",
                "--test-command", "test ! -f src/a.txt");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);

        assertThat(triesOf("impl-a")).as(run.err()).containsExactly("model-a", "model-a", "model-b", "model-c");
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        JsonNode a = report.path("tasks").get(0);
        assertThat(a.path("status").asString()).isEqualTo("failed");
        assertThat(a.path("attempts").asInt()).as("the report counts the tries made").isEqualTo(4);
        assertThat(a.path("model").asString()).isEqualTo("model-c");
        // model-a failed twice, b and c once each: impl-b starts on the best of them now.
        assertThat(triesOf("impl-b")).containsExactly("model-b");
    }

    private List<String> triesOf(String taskId) {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            return store.jdbi().withHandle(h -> h.createQuery("SELECT model FROM agent_runs WHERE task_id = :task ORDER BY id")
                    .bind("task", taskId).mapTo(String.class).list());
        }
    }
}
