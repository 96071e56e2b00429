package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.store.Store;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A new user's machine: no key for any provider and no Ollama (its port refuses connections).
 * Every command that needs a model says so the same way: one short paragraph, the next step as
 * the last line of stderr, exit 3, and no retry or fallback lines.
 */
class NoUsableModelTest {
    static final String NEXT_STEP = "next: `ensemble doctor` shows what is missing; set a key with "
            + "`ensemble secrets set ANTHROPIC_API_KEY`, or start Ollama with `ollama serve`";

    @TempDir Path dir;
    CliHarness cli;
    String refused;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
        cli.secrets = CliHarness.secretsFrom(Map.of());
        try (ServerSocket socket = new ServerSocket(0)) {
            refused = "http://127.0.0.1:" + socket.getLocalPort();
        }
        // The built-in catalog and aliases, with Ollama where nothing listens.
        cli.repoConfig("providers:\n  ollama: { base_url: \"" + refused + "\" }\n");
        // A staged change, for review and precommit to have something to review.
        Files.writeString(cli.repo.resolve("README.md"), "# test repo\n\nNow with a section.\n");
        cli.git("add", "README.md");
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("ask", List.of("ask", "explain CRDTs")),
                Arguments.of("plan", List.of("plan", "add JWT auth")),
                Arguments.of("go", List.of("go", "add JWT auth")),
                Arguments.of("route", List.of("route", "add JWT auth")),
                Arguments.of("pipeline", List.of("pipeline", "bugfix", "login loops")),
                Arguments.of("resume", List.of("resume", "--last")),
                Arguments.of("chat", List.of("chat", "write a rate limiter")),
                Arguments.of("consensus", List.of("consensus", "Postgres or SQLite here?")),
                Arguments.of("review", List.of("review")),
                Arguments.of("precommit", List.of("precommit")),
                Arguments.of("exec", List.of("exec", "--agent", "builtin", "add a note")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyCommandSaysWhatIsMissingAndWhatToDoWithExit3(String name, List<String> args) throws Exception {
        if (name.equals("resume")) runStoppedWhilePlanning();
        String statusBefore = cli.git("status", "--porcelain");

        CliHarness.Run run = cli.run(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.NO_MODEL);
        List<String> lines = run.err().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(run.err()).hasSizeLessThanOrEqualTo(3);
        assertThat(lines.getLast()).isEqualTo(NEXT_STEP);
        assertThat(lines.get(lines.size() - 2))
                .startsWith("ensemble: no usable model: ")
                .contains("have no key (")
                .contains("ANTHROPIC_API_KEY")
                .endsWith("Ollama is not answering at " + refused + " (nothing was sent)");
        // Neither retried nor walked model by model.
        assertThat(run.err()).doesNotContain("attempt").doesNotContain("ConnectException").doesNotContain("fallback");
        assertThat(cli.git("status", "--porcelain")).isEqualTo(statusBefore);
        if (List.of("ask", "plan", "go", "exec", "chat", "consensus", "review", "precommit", "pipeline").contains(name)) {
            // Found out from the configuration, the keys and one refused connection: nothing written.
            assertThat(cli.repo.resolve(".ensemble")).as("nothing written by " + name).doesNotExist();
        }
    }

    @Test
    void aRunWithAPlanButNoModelForItsTasksIsExit3NotARunOfFailedTasks() throws Exception {
        Path planFile = dir.resolve("plan.json");
        Files.writeString(planFile, PLAN);
        CliHarness.Run go = cli.run("go", "--plan", planFile.toString());
        assertThat(go.exitCode()).as(go.all()).isEqualTo(ExitCodes.NO_MODEL);
        assertThat(go.err().lines().toList().getLast()).isEqualTo(NEXT_STEP);

        WorkspaceManager.excludeEnsembleFolder(cli.repo);
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            RunStore runs = new RunStore(store);
            runs.create("run-20261201-000000-beef", "add a note");
            runs.savePlan("run-20261201-000000-beef", PlanParser.parse("add a note", PLAN));
        }
        CliHarness.Run resume = cli.run("resume", "run-20261201-000000-beef");
        assertThat(resume.exitCode()).as(resume.all()).isEqualTo(ExitCodes.NO_MODEL);
        assertThat(resume.err().lines().toList().getLast()).isEqualTo(NEXT_STEP);
        assertThat(cli.git("branch", "--list", "ensemble/*")).as("nothing dispatched").isBlank();
    }

    private static final String PLAN = """
            {"specs": [], "tasks": [{"id": "note", "title": "add a note", "kind": "coding", "files": ["notes/a.txt"],
              "depends_on": [], "acceptance": "the note exists", "test_first": false, "description": "write notes/a.txt"}]}
            """;

    /** What a `go` killed while its planner worked leaves behind: a run in "planning" that `resume` plans again. */
    private void runStoppedWhilePlanning() throws IOException {
        WorkspaceManager.excludeEnsembleFolder(cli.repo);
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            RunStore runs = new RunStore(store);
            runs.create("run-20261201-000000-abcd", "add JWT auth");
            runs.markStatus("run-20261201-000000-abcd", RunStatus.PLANNING);
        }
    }
}
