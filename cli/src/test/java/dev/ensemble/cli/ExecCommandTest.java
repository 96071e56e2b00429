package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

/** `ensemble exec` with the builtin agent driven by the scripted server: accepted, rejected and failed. */
class ExecCommandTest {
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
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 5)));
        server.localModels(java.util.List.of("local-scripted"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"notes/hello.txt\",\"content\":\"hi\\n\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"wrote notes/hello.txt\"}")).whenToolResult(true));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void anOwnedChangeIsAcceptedAndLandsOnTheRunBranchOnly() throws Exception {
        String headBefore = cli.git("rev-parse", "HEAD");
        CliHarness.Run run = cli.run("exec", "--agent", "builtin", "--owns", "notes/**", "--json", "write a note");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        assertThat(result.path("accepted").asBoolean()).isTrue();
        assertThat(result.path("landed").asBoolean()).isTrue();
        assertThat(result.path("files").get(0).asString()).isEqualTo("notes/hello.txt");
        assertThat(result.path("session_id").asString()).startsWith("builtin-");
        assertThat(result.path("input_tokens").asLong()).isPositive();
        assertThat(run.err()).contains("tool ").contains("write_file");

        String branch = result.path("branch").asString();
        assertThat(cli.git("show", branch + ":notes/hello.txt")).isEqualTo("hi\n");
        // The user's branch, HEAD and working tree are untouched; the worktree is gone.
        assertThat(cli.git("rev-parse", "HEAD")).isEqualTo(headBefore);
        assertThat(cli.repo.resolve("notes/hello.txt")).doesNotExist();
        assertThat(cli.git("worktree", "list")).doesNotContain(".ensemble/worktrees");
        assertThat(outcomes()).containsExactly("builtin pass");
    }

    /** The recorded task outcomes, as "agent verdict", oldest first. */
    private List<String> outcomes() {
        try (var store = dev.ensemble.engine.store.Store.open(dev.ensemble.core.config.StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            return store.jdbi().withHandle(h -> h.createQuery("SELECT agent || ' ' || verdict FROM outcomes ORDER BY id")
                    .mapTo(String.class).list());
        }
    }

    @Test
    void aProtectedPathIsRejectedByTheEnforcerRecordedAndNeverLands() throws Exception {
        // Owned by the task's globs, so the builtin agent's own first-line check lets it through: the
        // Enforcer, which judges every agent alike from git, must refuse it.
        server.clearRules();
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"package-lock.json\",\"content\":\"{}\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"locked\"}")).whenToolResult(true));
        CliHarness.Run run = cli.run("exec", "--agent", "builtin", "pin the dependencies");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).contains("rejected").contains("package-lock.json").contains("protected-path");
        assertThat(cli.git("branch", "--list", "ensemble/*")).doesNotContain("_run");
        try (var store = dev.ensemble.engine.store.Store.open(dev.ensemble.core.config.StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            long rows = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM violations WHERE path = 'package-lock.json' AND rule = 'protected-path' AND agent = 'builtin'")
                    .mapTo(Long.class).one());
            assertThat(rows).isEqualTo(1);
        }
        assertThat(outcomes()).containsExactly("builtin fail");
    }

    @Test
    void theAgentsOwnGuardRefusesWritesOutsideOwnedPathsAndNothingChanges() throws Exception {
        CliHarness.Run run = cli.run("exec", "--agent", "builtin", "--owns", "src/**", "write a note");
        assertThat(run.out()).contains("no changes");
        assertThat(server.chatRequests().get(1).body()).contains("notes/hello.txt").contains("error");
        assertThat(cli.git("branch", "--list", "ensemble/*")).isBlank();
    }

    @Test
    void badInputIsExitTwo() {
        assertThat(cli.run("exec", "--agent", "nobody", "x").exitCode()).isEqualTo(2);
        assertThat(cli.run("exec", "--agent", "builtin", "--timeout", "soon", "x").exitCode()).isEqualTo(2);
        assertThat(cli.run("exec", "--agent", "builtin", "--model", "nope", "x").exitCode()).isEqualTo(2);
        assertThat(cli.run("exec", "x").exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void agentsListsEveryAdapter() {
        CliHarness.Run run = cli.run("agents", "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode agents = HttpTransport.JSON.readTree(run.out()).path("agents");
        assertThat(agents.findValuesAsString("name")).contains("claude", "codex", "opencode", "gemini", "qwen", "cn", "aider", "builtin");
        assertThat(Files.exists(cli.repo)).isTrue();
    }
}
