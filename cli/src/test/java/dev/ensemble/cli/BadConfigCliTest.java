package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad repository {@code ensemble.yaml}, tried on purpose: {@code config check}, {@code doctor}
 * and a model command ({@code ask}) each exit 2 with the same first error, naming the file, line
 * and key (or the parse limit hit), and nothing is written to the repository or sent to a model.
 * Before, {@code config check} passed an invalid {@code budget:} and every model command then
 * refused it without a place; the alias bomb, deep nesting and /dev/zero killed the process.
 */
class BadConfigCliTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    /** Writes the repository's ensemble.yaml in some bad way. */
    interface Setup {
        void write(Path file) throws IOException;
    }

    static Setup yaml(String text) {
        return file -> Files.writeString(file, text);
    }

    /** 1.3 KB of YAML that expands to 387 million strings. */
    static String aliasBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            yaml.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, "*" + (char) (c - 1))))
                    .append("]\n");
        }
        return yaml.toString();
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("daily_usd: five", yaml("budget:\n  daily_usd: five\n"),
                        ":2: budget.daily_usd: expected an amount in USD ≥ 0, or null for no limit, got \"five\""),
                Arguments.of("daily_usd: -5", yaml("budget:\n  daily_usd: -5\n"), ":2: budget.daily_usd: expected an amount"),
                Arguments.of("warn_at: 7", yaml("budget:\n  warn_at: 7\n"),
                        ":2: budget.warn_at: expected a fraction of a limit above 0 and at most 1, such as 0.8, got 7"),
                Arguments.of("approve_above_usd: -1", yaml("budget:\n  approve_above_usd: -1\n"),
                        ":2: budget.approve_above_usd: expected an amount in USD ≥ 0"),
                Arguments.of("budget.dialy_usd", yaml("budget:\n  dialy_usd: 3\n"),
                        ":2: budget.dialy_usd: unknown key 'dialy_usd' (did you mean 'daily_usd'?)"),
                Arguments.of("policy.protectd", yaml("policy:\n  protectd: [\"x/**\"]\n"),
                        ":2: policy.protectd: unknown key 'protectd' (did you mean 'protected'?)"),
                Arguments.of("policy folder with a slash", yaml("policy:\n  allowed_top_level_folders: [docs, a/b]\n"),
                        ":2: policy.allowed_top_level_folders[1]: expected one folder name, got 'a/b'"),
                Arguments.of("roles.implementer.modle", yaml("roles:\n  implementer:\n    modle: gpt-5\n"),
                        ":3: roles.implementer.modle: unknown key 'modle' (did you mean 'model'?)"),
                Arguments.of("role falls back to nobody", yaml("roles:\n  reviewer:\n    fallback: [nobody]\n"),
                        ":3: roles.reviewer.fallback: unknown role 'nobody'"),
                Arguments.of("routing.strategy", yaml("routing:\n  strategy: cheapest\n"), ":2: routing.strategy: "),
                Arguments.of("pipeline step role", yaml("pipelines:\n  audit:\n    steps:\n      - { role: auditor }\n"),
                        ":4: pipelines.audit.steps[0].role: "),
                Arguments.of("context_window: 99999999999999999999999",
                        yaml("models:\n  gpt-5:\n    context_window: 99999999999999999999999\n"),
                        ":3: models.gpt-5.context_window: expected a whole number of tokens from 1 to 2147483647, got 99999999999999999999999"),
                Arguments.of("alias bomb", yaml(aliasBomb()),
                        ":6: over the limit of 200000 values once aliases (*name) are expanded"),
                Arguments.of("5,000 nested brackets", yaml("x: " + "[".repeat(5000) + "]".repeat(5000) + "\n"),
                        ":1: over the limit of 64 levels of lists and mappings"),
                Arguments.of("symlink to /dev/zero", (Setup) file -> Files.createSymbolicLink(file, Path.of("/dev/zero")),
                        ": is not a regular file (a symbolic link to a device, FIFO or socket)"));
    }

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        // a usable local model in the user's file, so `ask` would send if the configuration were let through
        Files.writeString(cli.userConfig, """
                default_model: m1
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  m1: %s
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("m1", "test", 5)));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        Files.deleteIfExists(cli.repo.resolve("ensemble.yaml"));  // a link to /dev/zero must not be followed by @TempDir
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void everyCommandRefusesWithTheSamePlaceAndExit2(String name, Setup setup, String firstError) throws Exception {
        Path file = cli.repo.resolve("ensemble.yaml");
        setup.write(file);
        String before = repositoryState();

        for (List<String> command : List.of(List.of("config", "check"), List.of("doctor"), List.of("ask", "hi"))) {
            CliHarness.Run run = cli.run(command.toArray(String[]::new));

            assertThat(run.exitCode()).as(command + ": " + run.all()).isEqualTo(ExitCodes.BAD_INPUT);
            List<String> lines = run.err().lines().toList();
            assertThat(lines.getFirst()).isEqualTo("ensemble: configuration error (nothing was done):");
            assertThat(lines.get(1)).as(command.toString()).startsWith("  " + file + firstError);
            assertThat(run.out()).as(command.toString()).isEmpty();
        }
        assertThat(server.modelCalls()).as("nothing sent").isEmpty();
        assertThat(repositoryState()).as("nothing written").isEqualTo(before);
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();
    }

    @Test
    void theSameSetupWithAGoodFileSendsTheQuestion() throws Exception {
        cli.repoConfig("budget: { daily_usd: 5, warn_at: 0.5 }\n");

        CliHarness.Run run = cli.run("ask", "--no-stream", "hi");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(server.modelCalls()).hasSize(1);
    }

    @Test
    void everyProblemOfEverySectionIsReportedInOneRun() throws Exception {
        cli.repoConfig("""
                budget:
                  daily_usd: five
                  warn_at: 7
                policy:
                  protectd: []
                roles:
                  reviewer:
                    fallback: [nobody]
                """);

        CliHarness.Run run = cli.run("config", "check");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        Path file = cli.repo.resolve("ensemble.yaml");
        assertThat(run.err().lines().skip(1).toList()).containsExactly(
                "  " + file + ":2: budget.daily_usd: expected an amount in USD ≥ 0, or null for no limit, got \"five\"",
                "  " + file + ":3: budget.warn_at: expected a fraction of a limit above 0 and at most 1, such as 0.8, got 7",
                "  " + file + ":5: policy.protectd: unknown key 'protectd' (did you mean 'protected'?)",
                "  " + file + ":8: roles.reviewer.fallback: unknown role 'nobody' (roles: planner, implementer, reviewer, librarian)");
    }

    @Test
    void commandsThatNeedNoConfigurationStillRun() throws Exception {
        cli.repoConfig("budget: { daily_usd: five }\n");

        assertThat(cli.run("--version").exitCode()).isZero();
        assertThat(cli.run("ask", "--help").exitCode()).isZero();
        assertThat(cli.run("help").exitCode()).isZero();
    }

    @Test
    void theUserFileIsFoundFromHomeAndXdgConfigHome() throws Exception {
        Path home = dir.resolve("h");
        Path fromHome = home.resolve(".config/ensemble/config.yaml");
        Files.createDirectories(fromHome.getParent());
        Files.writeString(fromHome, "budget:\n  dialy_usd: 3\n");

        CliHarness.Run run = cli.runWithEnvironment(Map.of("HOME", home.toString()), "config", "check");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(fromHome + ":2: budget.dialy_usd: unknown key 'dialy_usd' (did you mean 'daily_usd'?)");

        Path xdg = dir.resolve("xdg");
        Path fromXdg = xdg.resolve("ensemble/config.yaml");
        Files.createDirectories(fromXdg.getParent());
        Files.writeString(fromXdg, "default_model: fast-model\n");

        CliHarness.Run good = cli.runWithEnvironment(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", xdg.toString()),
                "config", "check");

        assertThat(good.exitCode()).as(good.all()).isZero();
        assertThat(good.out()).contains("read " + fromXdg).doesNotContain(fromHome.toString());
    }

    @Test
    void otherYamlInputsHaveTheSameLimits() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("rules.yaml"), Path.of("/dev/zero"));
        Path deep = Files.writeString(dir.resolve("deep.yaml"), "tasks: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
        try {
            CliHarness.Run rules = cli.run("scripted-server", "--script", link.toString());
            assertThat(rules.exitCode()).as(rules.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(rules.err()).contains(link + ": is not a regular file");

            CliHarness.Run workload = cli.run("route", "workload", "--file", link.toString());
            assertThat(workload.exitCode()).as(workload.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(workload.err()).contains("is not a regular file");

            CliHarness.Run nested = cli.run("route", "workload", "--file", deep.toString());
            assertThat(nested.exitCode()).as(nested.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(nested.err()).contains("nesting depth (65) exceeds the maximum allowed (64");
        } finally {
            Files.delete(link);
        }
    }

    /** HEAD, index, status, refs, worktrees and .git/info: what a refused command must leave as it was. */
    private String repositoryState() throws Exception {
        return cli.git("rev-parse", "HEAD") + cli.git("status", "--porcelain", "--ignored") + cli.git("for-each-ref")
                + cli.git("worktree", "list", "--porcelain") + cli.git("ls-files", "--stage")
                + Files.readString(cli.repo.resolve(".git/info/exclude")) + Files.readString(cli.repo.resolve(".git/config"));
    }
}
