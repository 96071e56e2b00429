package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `ensemble go` keeps every exchange under .ensemble/sessions/<run>/: the planner's (with its
 * repair turn), each task attempt's agent events, each review; the report lists them, and the
 * provider's key, planted in the models' answers, is in none of them.
 */
class GoTranscriptsTest {
    static final String KEY = "sk-planted-go-4d9e1f7a3c";
    static final String PLAN = """
            {"tasks": [
               {"id": "impl-a", "title": "Implement A", "kind": "coding", "files": ["src/a.txt"],
                "acceptance": "a greets", "description": "MARK-A write a"},
               {"id": "impl-b", "title": "Implement B", "kind": "coding", "files": ["src/b.txt"], "depends_on": ["impl-a"],
                "acceptance": "b answers", "description": "MARK-B write b"}
             ]}""";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        Path keyFile = dir.resolve("scripted.key");
        Files.writeString(keyFile, KEY + "\n");
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true, api_key: "file:%s" }
                models:
                  local-scripted: %s
                local_only: true
                """.formatted(server.baseUrl(), keyFile, CliHarness.scriptedModel("local-scripted", "test", 8)));
        server.localModels(List.of("local-scripted"));
        // The first plan is no plan: the planner's repair turn gets the real one.
        server.rule(Rule.text("I would rather not plan.").whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text(PLAN).whenTools(false).whenPrompt("^Your plan was rejected").named("planner repair"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[\"fine; used key " + KEY + "\"]}").whenTools(false)
                .whenPrompt("^Task ").named("reviewer"));
        write("MARK-A", "src/a.txt", "hello\\n");
        write("MARK-B", "src/b.txt", "hi back\\n");
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done with " + KEY + "\"}")).whenTools(true).whenToolResult(true)
                .named("finish"));
    }

    private void write(String marker, String path, String content) {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"" + path + "\",\"content\":\"" + content + "\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt(marker).named("write " + path));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void goLeavesThePlanEveryAttemptAndEveryReviewInSessionsAndTheReportListsThem() throws Exception {
        CliHarness.Run run = cli.run("go", "--test-command", "true", "--json", "greet");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        String runId = report.path("run_id").asString();
        Path sessions = cli.repo.resolve(".ensemble/sessions/" + runId);

        List<JsonNode> plan = lines(sessions.resolve("plan.jsonl"));
        assertThat(plan).extracting(l -> l.path("kind").asString()).containsExactly("request", "response", "request", "response");
        assertThat(plan.get(1).path("content").asString()).isEqualTo("I would rather not plan.");
        assertThat(plan.get(2).path("content").toString()).contains("Your plan was rejected");
        assertThat(plan.get(3).path("content").asString()).isEqualTo(PLAN);

        for (String task : List.of("impl-a", "impl-b")) {
            List<String> attempt = kinds(sessions.resolve(task + "-a1-f0.jsonl"));
            assertThat(attempt).as(task).startsWith("prompt").contains("tool_use", "tool_result").endsWith("result", "outcome");
            assertThat(kinds(sessions.resolve(task + "-review.jsonl"))).as(task).containsExactly("note", "request", "response");
            List<String> listed = new ArrayList<>();
            for (JsonNode t : report.path("tasks")) {
                if (t.path("id").asString().equals(task)) t.path("transcripts").forEach(f -> listed.add(f.asString()));
            }
            String prefix = ".ensemble/sessions/" + runId + "/";
            assertThat(listed).containsExactly(prefix + task + "-a1-f0.jsonl", prefix + task + "-review.jsonl");
        }
        assertThat(lines(sessions.resolve("impl-a-a1-f0.jsonl"))).anySatisfy(l ->
                assertThat(l.path("data").path("tool").asString()).isEqualTo("write_file"));

        CliHarness.Run shown = cli.run("report", runId);
        assertThat(shown.out()).contains("## Transcripts").contains(".ensemble/sessions/" + runId + "/impl-b-review.jsonl");

        try (Stream<Path> files = Files.list(sessions)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(5);
            for (Path file : all) {
                String text = Files.readString(file);
                assertThat(text).as(file.toString()).doesNotContain(KEY);
                if (file.getFileName().toString().endsWith("-review.jsonl")) assertThat(text).contains("used key " + Redactor.MASK);
            }
        }
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) out.add(HttpTransport.JSON.readTree(line));
        return out;
    }

    private static List<String> kinds(Path file) throws Exception {
        return lines(file).stream().map(l -> l.path("kind").asString()).toList();
    }
}
