package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input tried on purpose, one row each: the exit code, the first line on stderr, nothing sent
 * to a model, and nothing written: HEAD, index, status, refs, worktrees, .git/info, .git/hooks,
 * .git/config, .ensemble/ and the store's rows are the same after the command as before it (see
 * {@link RepoFingerprint}). Each row starts from a fresh repository with one commit and no
 * .ensemble/, a repository without commits, or a folder that is no repository at all.
 */
class BadInputTest {
    /** Where a row's command starts. */
    enum Where { REPO, NO_COMMITS, OUTSIDE }

    /** What a row sets up before the "before" fingerprint; {@code plans} is a folder outside every repository. */
    @FunctionalInterface
    interface Setup {
        void apply(CliHarness cli, Path plans, ScriptedModelServer server) throws Exception;
    }

    static final Setup NOTHING = (cli, plans, server) -> { };

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.localModels(List.of("local-scripted"));
        cli = new CliHarness(dir);
        // In the user's configuration, so it applies in every folder a row starts in.
        Files.writeString(cli.userConfig, """
                default_model: local-scripted
                retry: { max_attempts: 1 }
                budget: { approve_above_usd: 0.01 }
                providers:
                  scripted: { wire: ollama, base_url: "%1$s", local: true }
                  scripted-cloud: { wire: openai-chat, base_url: "%1$s/v1" }
                models:
                  local-scripted: %2$s
                  unpulled: %3$s
                  pricey: { provider: scripted-cloud, wire_name: pricey, family: pricey, context_window: 32768, max_output: 4096,
                            tokens_per_second: 50, tools: true,
                            pricing: { input: 100, output: 100, cached_input: 100, source: test, as_of: 2026-11-01 } }
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8),
                CliHarness.scriptedModel("unpulled", "test", 8)));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static Arguments row(String name, Where where, Setup setup, int exit, String firstLine, String... args) {
        return Arguments.of(name, where, setup, args, exit, firstLine);
    }

    private static Setup planFile(String name, String json) {
        return (cli, plans, server) -> Files.writeString(plans.resolve(name), json);
    }

    static String task(String id, String file, String extra) {
        return "{\"id\": \"" + id + "\", \"title\": \"t\", \"kind\": \"coding\", \"files\": [\"" + file + "\"], \"acceptance\": \"ok\"" + extra + "}";
    }

    static String plan(String... tasks) {
        return "{\"request\": \"r\", \"specs\": [], \"tasks\": [" + String.join(", ", tasks) + "]}";
    }

    static Stream<Arguments> rows() {
        String p = "PLANS/";  // replaced by the plans folder
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= 1_000; i++) many.add(task("t" + i, "src/f" + i + ".py", ""));
        return Stream.of(
                row("go outside a repository", Where.OUTSIDE, NOTHING, 2, "ensemble: not a git repository: ", "go", "add x"),
                row("go in a repository without commits", Where.NO_COMMITS, NOTHING, 2, "ensemble: no commits yet in ", "go", "add x"),
                row("go with an empty request", Where.REPO, NOTHING, 2, "ensemble: give a request, or --plan FILE", "go", " "),
                row("go --parallel 0", Where.REPO, NOTHING, 2, "ensemble: --parallel must be at least 1", "go", "--parallel", "0", "x"),
                row("go --planner no-such-model", Where.REPO, NOTHING, 2, "ensemble: unknown model or alias 'no-such-model'",
                        "go", "--planner", "no-such-model", "add x"),
                row("go --planner a model not pulled", Where.REPO, NOTHING, 3, "ensemble: ", "go", "--planner", "unpulled", "add x"),
                row("go whose planning call needs approval", Where.REPO, NOTHING, 2,
                        "ensemble: planning (pricey, a repair turn included) could cost up to ", "go", "--planner", "pricey", "add x"),
                row("go --apply on a detached HEAD", Where.REPO, (cli, plans, server) -> cli.git("checkout", "-q", "--detach"), 2,
                        "ensemble: --apply merges into your branch, but HEAD is detached", "go", "--apply", "add x"),
                row("go --apply with uncommitted changes", Where.REPO,
                        (cli, plans, server) -> Files.writeString(cli.repo.resolve("README.md"), "changed\n"), 2,
                        "ensemble: --apply: your working tree has uncommitted changes (1 file)", "go", "--apply", "add x"),
                row("go --apply during a merge", Where.REPO, BadInputTest::mergeConflict, 2, "ensemble: --apply: a merge is in progress",
                        "go", "--apply", "add x"),
                row("go --plan no such file", Where.REPO, NOTHING, 2, "ensemble: --plan: no such file: ", "go", "--plan", p + "none.json"),
                row("go --plan a folder", Where.REPO, NOTHING, 2, "is not a regular file", "go", "--plan", p),
                row("go --plan with a cycle", Where.REPO,
                        planFile("cycle.json", plan(task("a", "src/a.py", ", \"depends_on\": [\"b\"]"), task("b", "src/b.py", ", \"depends_on\": [\"a\"]"))),
                        2, "is not valid: $.tasks: dependency cycle: a → b → a", "go", "--plan", p + "cycle.json"),
                row("go --plan not UTF-8", Where.REPO, (cli, plans, server) -> Files.write(plans.resolve("latin1.json"),
                        plan(task("caf\u00e9", "src/a.py", "")).getBytes(StandardCharsets.ISO_8859_1)),
                        2, "latin1.json is not UTF-8 text (invalid byte at offset ", "go", "--plan", p + "latin1.json"),
                row("go --plan over the size limit", Where.REPO, (cli, plans, server) -> Files.writeString(plans.resolve("big.json"),
                        plan(task("a", "src/a.py", ", \"description\": \"" + "x".repeat(4 * 1024 * 1024) + "\""))),
                        2, "over the limit of 4 MiB (4,194,304 bytes) for a plan", "go", "--plan", p + "big.json"),
                row("go --plan over the task limit", Where.REPO, planFile("many.json", plan(many.toArray(String[]::new))),
                        2, "$.tasks: the plan has 1,001 tasks, over the limit of 1,000 tasks", "go", "--plan", p + "many.json"),
                row("go --plan with a task id leaving the repository", Where.REPO,
                        planFile("dots.json", plan(task("../../../../tmp/x", "src/a.py", ""))),
                        2, "$.tasks[0].id: task id '../../../../tmp/x' is not a safe identifier", "go", "--plan", p + "dots.json"),
                row("go --plan with the run branch's name as a task id", Where.REPO, planFile("run.json", plan(task("_run", "src/a.py", ""))),
                        2, "task id '_run' is not a safe identifier", "go", "--plan", p + "run.json"),
                row("go --plan with a newline in a task id", Where.REPO, planFile("newline.json", plan(task("a\\nb", "src/a.py", ""))),
                        2, "task id 'a\\nb' is not a safe identifier", "go", "--plan", p + "newline.json"),
                row("go --plan with an unknown agent", Where.REPO, planFile("agent.json", plan(task("a", "src/a.py", ", \"agent\": \"robot\""))),
                        2, "$.tasks[0].agent: unknown agent 'robot' (agents: ", "go", "--plan", p + "agent.json"),
                row("go --plan with an unknown model", Where.REPO, planFile("model.json", plan(task("a", "src/a.py", ", \"model\": \"gpt-17\""))),
                        2, "$.tasks[0].model: unknown model or alias 'gpt-17'", "go", "--plan", p + "model.json"),
                row("go --plan when no model can be called", Where.REPO, (cli, plans, server) -> {
                    server.localModels(List.of());
                    Files.writeString(plans.resolve("ok.json"), plan(task("a", "src/a.py", "")));
                }, 3, "ensemble: ", "--local", "go", "--plan", p + "ok.json"),
                row("go --plan with a glob no one can match", Where.REPO, planFile("glob.json", plan(task("a", "src/[z-a]*", ""))),
                        2, "'src/[z-a]*' is not a valid glob", "go", "--plan", p + "glob.json"),
                row("exec outside a repository", Where.OUTSIDE, NOTHING, 2, "ensemble: not a git repository: ",
                        "exec", "--agent", "builtin", "add x"),
                row("exec in a repository without commits", Where.NO_COMMITS, NOTHING, 2, "ensemble: no commits yet in ",
                        "exec", "--agent", "builtin", "add x"),
                row("exec with an empty task", Where.REPO, NOTHING, 2, "ensemble: the task is empty: say what the agent should do",
                        "exec", "--agent", "builtin", ""),
                row("exec --owns an absolute glob", Where.REPO, NOTHING, 2, "ensemble: --owns: '/etc/**' is an absolute path",
                        "exec", "--agent", "builtin", "--owns", "/etc/**", "add x"),
                row("exec --owns a backwards range", Where.REPO, NOTHING, 2,
                        "ensemble: --owns: 'src/[z-a]*' is not a valid glob: the character class [z-a] has a range that runs backwards",
                        "exec", "--agent", "builtin", "--owns", "src/[z-a]*", "add x"),
                row("exec --owns outside the repository", Where.REPO, NOTHING, 2, "ensemble: --owns: '../x/**' leaves the repository",
                        "exec", "--agent", "builtin", "--owns", "../x/**", "add x"),
                row("exec --base no-such-ref", Where.REPO, NOTHING, 2, "ensemble: --base: unknown revision 'no-such-ref'",
                        "exec", "--agent", "builtin", "--base", "no-such-ref", "add x"),
                row("exec --agent unknown", Where.REPO, NOTHING, 2, "ensemble: unknown agent 'robot'", "exec", "--agent", "robot", "add x"),
                row("plan outside a repository", Where.OUTSIDE, NOTHING, 2, "ensemble: not a git repository: ", "plan", "add x"),
                row("plan --model unknown", Where.REPO, NOTHING, 2, "ensemble: unknown model or alias 'nope'", "plan", "--model", "nope", "add x"),
                row("resume with nothing recorded", Where.REPO, NOTHING, 2, "ensemble: no runs to resume in ", "resume", "--last"),
                row("resume outside a repository", Where.OUTSIDE, NOTHING, 2, "ensemble: not a git repository: ", "resume", "--last"),
                row("precommit --install without a usable reviewer", Where.REPO, NOTHING, 2,
                        "ensemble: no reviewer can be called here, so the hook would block every commit; nothing was installed",
                        "precommit", "--install", "--models", "unpulled"),
                row("precommit --install with an unknown model", Where.REPO, NOTHING, 2, "ensemble: --models: unknown model or alias 'nope'",
                        "precommit", "--install", "--models", "nope"),
                row("doctor outside a repository creates no store", Where.OUTSIDE, NOTHING, 0, null, "doctor"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void badInputIsRefusedAndNothingIsWrittenOrSent(String name, Where where, Setup setup, String[] args, int exit, String firstLine)
            throws Exception {
        Path plans = Files.createDirectories(dir.resolve("plans"));
        Path start = switch (where) {
            case REPO -> cli.repo;
            case NO_COMMITS -> {
                Path fresh = Files.createDirectories(dir.resolve("fresh"));
                CliHarness.gitIn(fresh, "init", "-q", "-b", "main");
                yield fresh;
            }
            case OUTSIDE -> {
                Path outside = Files.createDirectories(dir.resolve("outside"));
                Files.writeString(outside.resolve("notes.txt"), "not a repository\n");
                yield outside;
            }
        };
        setup.apply(cli, plans, server);
        String[] resolved = Arrays.stream(args).map(a -> a.replace("PLANS/", plans + "/")).toArray(String[]::new);
        RepoFingerprint before = RepoFingerprint.of(start);

        CliHarness.Run run = cli.runIn(start, Map.of(), resolved);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(exit);
        if (firstLine != null) assertThat(run.firstErrorLine()).as(run.all()).contains(firstLine);
        // Asking which models are pulled (GET /api/tags) is looking, not sending: no prompt may leave.
        assertThat(server.modelCalls()).as("nothing sent to a model").isEmpty();
        assertThat(RepoFingerprint.of(start).changesSince(before)).as("nothing written").isEmpty();
    }

    /** A merge stopped by a conflict: MERGE_HEAD is there, and the tree is dirty too. */
    private static void mergeConflict(CliHarness cli, Path plans, ScriptedModelServer server) throws Exception {
        cli.git("checkout", "-q", "-b", "other");
        Files.writeString(cli.repo.resolve("README.md"), "other\n");
        cli.git("commit", "-q", "-am", "other");
        cli.git("checkout", "-q", "main");
        Files.writeString(cli.repo.resolve("README.md"), "main\n");
        cli.git("commit", "-q", "-am", "main");
        try {
            cli.git("merge", "-q", "other");
        } catch (java.io.IOException expected) {
            // the conflict
        }
    }
}
