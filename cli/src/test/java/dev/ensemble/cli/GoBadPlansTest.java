package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * `ensemble go` with a planner that answers bad plans: a plan bad twice stops the run with the
 * exact reason and nothing is written (no branch, no spec, no worktree, the user's branch and
 * working tree as they were); a plan bad once is repaired and runs.
 */
class GoBadPlansTest {
    private static final String SPEC = "{\"path\": \"specs/feature.md\", \"content\": \"# Feature\"}";

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
        cli.git("add", "ensemble.yaml");
        cli.git("commit", "-q", "-m", "config");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static String task(String id, String files, String deps) {
        return "{\"id\": \"%s\", \"title\": \"do %s\", \"kind\": \"coding\", \"files\": [%s], \"depends_on\": [%s], \"acceptance\": \"ok\"}"
                .formatted(id, id, quoted(files), quoted(deps));
    }

    private static String quoted(String csv) {
        if (csv.isBlank()) return "";
        return String.join(", ", Stream.of(csv.split(",")).map(s -> "\"" + s.strip() + "\"").toList());
    }

    private static String plan(String... tasks) {
        return "{\"specs\": [" + SPEC + "], \"tasks\": [" + String.join(", ", tasks) + "]}";
    }

    static Stream<Arguments> badPlans() {
        return Stream.of(
                Arguments.of("cycle", plan(task("a", "src/a.py", "b"), task("b", "src/b.py", "a")),
                        "$.tasks: dependency cycle: a → b → a"),
                Arguments.of("overlapping ownership", plan(task("a", "src/app.py", ""), task("b", "src/app.py", "")),
                        "'src/app.py' (task 'b') overlaps 'src/app.py' (task 'a'), and the two tasks can run at the same time"),
                Arguments.of("unknown dependency", plan(task("a", "src/a.py", "c")),
                        "$.tasks[0].depends_on[0]: unknown dependency 'c' (task ids: a)"),
                Arguments.of("path leaving the repository", plan(task("a", "src/../../other/x.py", "")),
                        "$.tasks[0].files[0]: 'src/../../other/x.py' leaves the repository ('..')"),
                Arguments.of("absolute path", plan(task("a", "/etc/passwd", "")),
                        "$.tasks[0].files[0]: '/etc/passwd' is an absolute path"),
                Arguments.of("a path in .git", plan(task("a", ".git/hooks/pre-commit", "")),
                        "$.tasks[0].files[0]: '.git/hooks/pre-commit' is inside .git/, which no task may own"),
                Arguments.of("malformed JSON", "{\"tasks\": [ {\"id\": \"a\" \"title\": \"x\"} ]}",
                        "$: malformed JSON at line 1, column 24"),
                Arguments.of("no JSON at all", "I think we should first refactor the module.",
                        "the answer contains no JSON object"),
                Arguments.of("empty plan", "{\"specs\": [], \"tasks\": []}",
                        "$.tasks: the plan has no tasks: at least one is required"),
                Arguments.of("duplicate ids", plan(task("a", "src/a.py", ""), task("a", "src/b.py", "")),
                        "$.tasks[1].id: duplicate task id 'a' (also $.tasks[0])"),
                Arguments.of("self dependency", plan(task("a", "src/a.py", "a")),
                        "$.tasks[0].depends_on[0]: task 'a' depends on itself"),
                Arguments.of("a task id that would leave the worktree folder", plan(task("../../../../tmp/x", "src/a.py", "")),
                        "$.tasks[0].id: task id '../../../../tmp/x' is not a safe identifier"),
                Arguments.of("the run branch's name as a task id", plan(task("_run", "src/a.py", "")),
                        "$.tasks[0].id: task id '_run' is not a safe identifier"),
                Arguments.of("an agent ensemble does not know", plan(task("a", "src/a.py", "").replace("}", ", \"agent\": \"robot\"}")),
                        "$.tasks[0].agent: unknown agent 'robot' (agents: aider, builtin, claude, cn, codex, gemini, opencode, qwen; or leave agent out)"),
                Arguments.of("a model that is not in the catalog", plan(task("a", "src/a.py", "").replace("}", ", \"model\": \"gpt-17\"}")),
                        "$.tasks[0].model: unknown model or alias 'gpt-17'"),
                Arguments.of("spec outside specs/", "{\"specs\": [{\"path\": \"docs/f.md\", \"content\": \"x\"}], \"tasks\": ["
                        + task("a", "src/a.py", "") + "]}", "$.specs[0].path: spec 'docs/f.md' is outside specs/"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPlans")
    void aPlanBadTwiceStopsTheRunWithTheReasonAndWritesNothing(String name, String plan, String reason) throws Exception {
        server.rule(Rule.text(plan).whenTools(false).named("planner"));
        String head = cli.git("rev-parse", "HEAD");

        CliHarness.Run run = cli.run("go", "add the feature");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("the plan was rejected").contains(reason);
        assertThat(server.modelCalls()).as("asked once, then once more with the problems").hasSize(2);
        assertThat(server.modelCalls().get(1).parsed().inputText()).contains(reason);
        assertNothingWritten(head);
    }

    @Test
    void aPlanBadOnceIsRepairedAndRuns() throws Exception {
        server.rule(Rule.text(plan(task("a", "src/a.py", "b"), task("b", "src/b.py", "a"))).whenTools(false).whenPrompt("^Request:")
                .named("bad plan"));
        server.rule(Rule.text(plan(task("a", "src/a.py", ""))).whenTools(false).whenPrompt("cycle").named("repaired plan"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        server.rule(Rule.answer(dev.ensemble.testkit.Reply.toolCall("write_file", "{\"path\":\"src/a.py\",\"content\":\"a = 1\\n\"}"))
                .whenTools(true).whenToolResult(false).named("write"));
        server.rule(Rule.answer(dev.ensemble.testkit.Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true)
                .whenToolResult(true).named("finish"));

        CliHarness.Run run = cli.run("go", "--json", "add the feature");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(server.modelCalls()).extracting(r -> r.rule()).startsWith("bad plan", "repaired plan");
        assertThat(server.modelCalls().get(1).parsed().inputText()).contains("dependency cycle: a → b → a");
        String runId = dev.ensemble.llm.http.HttpTransport.JSON.readTree(run.out()).path("run_id").asString();
        assertThat(cli.git("show", "ensemble/" + runId + "/_run:src/a.py")).isEqualTo("a = 1\n");
    }

    private void assertNothingWritten(String head) throws Exception {
        assertThat(cli.git("rev-parse", "HEAD")).isEqualTo(head);
        assertThat(cli.git("status", "--porcelain")).isEmpty();
        assertThat(cli.git("branch", "--list", "ensemble/*")).isBlank();
        assertThat(cli.repo.resolve("specs")).doesNotExist();
        assertThat(cli.git("worktree", "list").strip().lines()).hasSize(1);
        assertThat(Files.exists(cli.repo.resolve(".ensemble/worktrees"))
                ? Files.list(cli.repo.resolve(".ensemble/worktrees")).toList() : List.of()).isEmpty();
    }
}
