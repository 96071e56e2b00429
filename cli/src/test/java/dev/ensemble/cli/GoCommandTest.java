package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
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
import tools.jackson.databind.JsonNode;

/**
 * `ensemble go` end to end on a temporary repository: a scripted planner, the builtin agent driven
 * by scripted models, the real Enforcer, Judge (test command and reviewer) and merges.
 */
class GoCommandTest {
    static final String PLAN = """
            {"specs": [{"path": "specs/greeting.md", "content": "# Greeting\\nA greets, B answers.\\n"}],
             "tasks": [
               {"id": "tests", "title": "Write the greeting tests", "kind": "coding", "files": ["tests/greeting_test.txt"],
                "acceptance": "tests exist", "description": "MARK-TESTS write the tests"},
               {"id": "impl-a", "title": "Implement A", "kind": "coding", "files": ["src/a.txt"], "depends_on": ["tests"],
                "test_first": true, "acceptance": "a greets", "description": "MARK-A write a"},
               {"id": "impl-b", "title": "Implement B", "kind": "coding", "files": ["src/b.txt"], "depends_on": ["tests"],
                "acceptance": "b answers", "description": "MARK-B write b"},
               {"id": "sneaky", "title": "Pin dependencies", "kind": "coding", "files": ["deps/**"], "depends_on": ["impl-a", "impl-b"],
                "acceptance": "deps pinned", "description": "MARK-LOCK pin them"}
             ]}""";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8)));
        server.localModels(List.of("local-scripted"));
        server.rule(Rule.text(PLAN).whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        write("MARK-TESTS", "tests/greeting_test.txt", "assert greets\\n");
        write("MARK-A", "src/a.txt", "hello\\n");
        write("MARK-B", "src/b.txt", "hi back\\n");
        write("MARK-LOCK", "deps/package-lock.json", "{}");
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true).whenToolResult(true).named("finish"));
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
    void aRequestIsPlannedRunInParallelEnforcedJudgedMergedAndReported() throws Exception {
        String headBefore = cli.git("rev-parse", "HEAD");
        CliHarness.Run run = cli.run("go", "--parallel", "2", "--test-command", "test -f specs/greeting.md", "--json",
                "add greeting");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);  // the sneaky task fails: its lock file is rejected
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        String runId = report.path("run_id").asString();
        assertThat(statusOf(report, "tests")).isEqualTo("passed");
        assertThat(statusOf(report, "impl-a")).isEqualTo("passed");
        assertThat(statusOf(report, "impl-b")).isEqualTo("passed");
        assertThat(statusOf(report, "sneaky")).isEqualTo("failed");
        assertThat(run.err()).contains("protected-path");

        String branch = "ensemble/" + runId + "/_run";
        assertThat(cli.git("show", branch + ":specs/greeting.md")).contains("A greets");
        assertThat(cli.git("show", branch + ":src/a.txt")).isEqualTo("hello\n");
        assertThat(cli.git("show", branch + ":src/b.txt")).isEqualTo("hi back\n");
        assertThat(cli.git("ls-tree", "-r", "--name-only", branch)).doesNotContain("package-lock.json");
        // The user's branch and working tree are untouched.
        assertThat(cli.git("rev-parse", "HEAD")).isEqualTo(headBefore);
        assertThat(cli.repo.resolve("src")).doesNotExist();

        // TDD order: both implementations started after the tests task was accepted; they ran in parallel (2 at once allowed).
        List<RecordedRequest> requests = server.requests();
        int lastTests = lastIndex(requests, "MARK-TESTS");
        assertThat(firstIndex(requests, "MARK-A")).isGreaterThan(lastTests);
        assertThat(firstIndex(requests, "MARK-B")).isGreaterThan(lastTests);

        // The report is on disk, and its totals equal the ledger's for the run.
        assertThat(Files.exists(cli.repo.resolve(".ensemble/reports/" + runId + ".md"))).isTrue();
        CliHarness.Run usage = cli.run("usage", "--json", "--by", "model");
        long ledgerCalls = 0;
        for (JsonNode row : HttpTransport.JSON.readTree(usage.out()).path("rows")) ledgerCalls += row.path("calls").asLong();
        long modelCalls = requests.stream().filter(r -> r.method().equals("POST")).count();  // GETs are Ollama's model list
        assertThat(ledgerCalls).isEqualTo(modelCalls);
        CliHarness.Run shown = cli.run("report", runId);
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).contains("impl-a").contains("sneaky");
    }

    @Test
    void aGivenPlanFileRunsWithoutAPlannerAndBadPlansAreRejected() throws Exception {
        Path good = dir.resolve("plan.json");
        Files.writeString(good, "{\"request\": \"just a\", \"tasks\": [{\"id\": \"impl-a\", \"title\": \"Implement A\", \"kind\": \"coding\","
                + " \"files\": [\"src/a.txt\"], \"acceptance\": \"a\", \"description\": \"MARK-A\"}]}");
        CliHarness.Run run = cli.run("go", "--plan", good.toString(), "--test-command", "true");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(server.requests().stream().noneMatch(r -> r.body().contains("Request:"))).isTrue();

        Path cyclic = dir.resolve("bad.json");
        Files.writeString(cyclic, "{\"tasks\": [{\"id\": \"a\", \"title\": \"A\", \"kind\": \"coding\", \"files\": [\"x\"], \"acceptance\": \"-\","
                + " \"depends_on\": [\"b\"]}, {\"id\": \"b\", \"title\": \"B\", \"kind\": \"coding\", \"files\": [\"y\"], \"acceptance\": \"-\","
                + " \"depends_on\": [\"a\"]}]}");
        CliHarness.Run bad = cli.run("go", "--plan", cyclic.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("cycle");
    }

    private static String statusOf(JsonNode report, String taskId) {
        for (JsonNode task : report.path("tasks")) {
            if (task.path("id").asString().equals(taskId)) return task.path("status").asString().toLowerCase(java.util.Locale.ROOT);
        }
        return "missing";
    }

    private static int firstIndex(List<RecordedRequest> requests, String marker) {
        for (int i = 0; i < requests.size(); i++) if (requests.get(i).body().contains(marker) && isAgent(requests.get(i))) return i;
        return -1;
    }

    private static int lastIndex(List<RecordedRequest> requests, String marker) {
        int last = -1;
        for (int i = 0; i < requests.size(); i++) if (requests.get(i).body().contains(marker) && isAgent(requests.get(i))) last = i;
        return last;
    }

    private static boolean isAgent(RecordedRequest request) {
        return request.parsed() != null && request.parsed().toolsOffered();
    }
}
