package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ensemble precommit`: exit codes by severity, and installing and removing the git hook. */
class PrecommitCommandTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Path hook;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.localModels(List.of("rev-a", "rev-b", "tiny"));
        cli = new CliHarness(dir);
        cli.repoConfig(ReviewCommandTest.MODELS.formatted(server.baseUrl()));
        cli.git("add", "ensemble.yaml");
        cli.git("commit", "-q", "-m", "config");
        hook = cli.repo.resolve(".git/hooks/pre-commit");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private void stage() throws Exception {
        Files.writeString(cli.repo.resolve("Main.java"), "class Main {\n  public static void main(String[] a) {\n    System.exit(1);\n  }\n}\n");
        cli.git("add", "Main.java");
    }

    private int precommitWith(String severity) throws Exception {
        server.clearRules();
        server.rule(Rule.text(severity.isEmpty() ? "[]" : ReviewCommandTest.finding(severity, "Main.java", 3, "exits")));
        CliHarness.Run run = cli.run("precommit", "--models", "rev-a");
        return run.exitCode();
    }

    @Test
    void theExitCodeFollowsTheWorstSeverity() throws Exception {
        stage();
        assertThat(precommitWith("")).isZero();
        assertThat(precommitWith("LOW")).isZero();
        assertThat(precommitWith("MEDIUM")).isZero();
        assertThat(precommitWith("HIGH")).isEqualTo(1);
        assertThat(precommitWith("CRITICAL")).isEqualTo(1);
        // Only the staged change is reviewed.
        assertThat(server.modelCalls().getLast().parsed().lastUserText()).contains("+++ b/Main.java").doesNotContain("ensemble.yaml");
    }

    @Test
    void aBlockingFindingSaysHowToSkipAndNoReviewAtAllBlocksToo() throws Exception {
        stage();
        server.rule(Rule.text(ReviewCommandTest.finding("HIGH", "Main.java", 3, "exits")).forModel("rev-a"));
        server.rule(Rule.text("no JSON here").forModel("rev-b"));
        CliHarness.Run blocked = cli.run("precommit", "--models", "rev-a,rev-b");
        assertThat(blocked.exitCode()).isEqualTo(1);
        assertThat(blocked.out()).contains("## HIGH");
        assertThat(blocked.err()).contains("HIGH finding").contains("--no-verify");
        CliHarness.Run unreviewed = cli.run("precommit", "--models", "rev-b");
        assertThat(unreviewed.exitCode()).isEqualTo(1);
        assertThat(unreviewed.err()).contains("no reviewer could review");
    }

    @Test
    void nothingStagedPassesSoEmptyCommitsAndAmendsAreNotBlocked() {
        CliHarness.Run run = cli.run("precommit", "--models", "rev-a");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("nothing staged");
        assertThat(server.modelCalls()).isEmpty();
        assertThat(cli.run("precommit", "--models", "nope").exitCode()).isZero();
    }

    @Test
    void helpDocumentsTheExitCodes() {
        CliHarness.Run help = cli.run("precommit", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--install").contains("--uninstall").contains("Exit status: 0").contains("1 a HIGH or CRITICAL");
        CliHarness.Run review = cli.run("review", "--help");
        assertThat(review.exitCode()).isZero();
        assertThat(review.out()).contains("--diff").contains("--staged").contains("--files").contains("Exit status: 0 reviewed");
    }

    @Test
    void anUnknownModelIsExitTwo() throws Exception {
        stage();
        assertThat(cli.run("precommit", "--models", "nope").exitCode()).isEqualTo(2);
        assertThat(server.modelCalls()).isEmpty();
    }

    @Test
    void installIsExecutableIdempotentAndUninstallRemovesIt() throws Exception {
        CliHarness.Run first = cli.run("precommit", "--install", "--models", "rev-a,rev-b");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(hook).isRegularFile().isExecutable();
        String script = Files.readString(hook);
        assertThat(script).startsWith("#!/bin/sh").contains(PrecommitCommand.MARKER).contains("precommit --models 'rev-a,rev-b'");
        assertThat(cli.run("precommit", "--install", "--models", "rev-a,rev-b").exitCode()).isZero();
        assertThat(Files.readString(hook)).isEqualTo(script);

        CliHarness.Run removed = cli.run("precommit", "--uninstall");
        assertThat(removed.exitCode()).isZero();
        assertThat(hook).doesNotExist();
        assertThat(cli.run("precommit", "--uninstall").exitCode()).isZero();
    }

    @Test
    void aForeignHookIsNeitherOverwrittenWithoutForceNorUninstalled() throws Exception {
        String foreign = "#!/bin/sh\necho lint\n";
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, foreign);
        CliHarness.Run refused = cli.run("precommit", "--install");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("not ensemble's hook").contains("--force");
        assertThat(Files.readString(hook)).isEqualTo(foreign);
        assertThat(cli.run("precommit", "--uninstall").exitCode()).isEqualTo(2);
        assertThat(Files.readString(hook)).isEqualTo(foreign);

        assertThat(cli.run("precommit", "--install", "--force").exitCode()).isZero();
        assertThat(Files.readString(hook)).contains(PrecommitCommand.MARKER);
    }

    @Test
    void theInstalledHookRunsEnsembleAndItsExitStatusDecidesTheCommit() throws Exception {
        // No launcher can be found from the build folder, so the hook falls back to `ensemble` on PATH:
        // a stand-in that records its arguments and fails, then passes.
        assertThat(PrecommitCommand.launcher()).isEmpty();
        assertThat(cli.run("precommit", "--install").exitCode()).isZero();
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path called = dir.resolve("called.txt");
        Path stub = bin.resolve("ensemble");
        Files.writeString(stub, "#!/bin/sh\necho \"$@\" >> '" + called + "'\nexit ${STUB_EXIT:-1}\n");
        stub.toFile().setExecutable(true);
        stage();
        assertThat(commit(bin, "1")).isNotZero();
        assertThat(Files.readString(called)).isEqualTo("precommit\n");
        assertThat(cli.git("log", "--oneline")).doesNotContain("with hook");
        assertThat(commit(bin, "0")).isZero();
        assertThat(cli.git("log", "--oneline")).contains("with hook");
    }

    @Test
    void installIsRefusedWhenNoReviewerCanBeCalledSinceTheHookWouldBlockEveryCommit() {
        server.localModels(List.of());  // nothing pulled: every scripted reviewer is unusable (and --local rules out the cloud)
        CliHarness.Run refused = cli.run("--local", "precommit", "--install");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(2);
        assertThat(refused.firstErrorLine()).contains("no reviewer can be called here, so the hook would block every commit; "
                + "nothing was installed");
        assertThat(refused.err()).contains("ensemble doctor").contains("--models");
        assertThat(hook).doesNotExist();
        assertThat(cli.repo.resolve(".ensemble")).as("no store created to find that out").doesNotExist();
    }

    @Test
    void whateverBlocksTheCommitTheHookSaysHowToSkipTheReview() throws Exception {
        assertThat(cli.run("precommit", "--install").exitCode()).isZero();
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path stub = bin.resolve("ensemble");
        Files.writeString(stub, "#!/bin/sh\necho 'ensemble: no usable model' >&2\nexit ${STUB_EXIT:-3}\n");
        stub.toFile().setExecutable(true);
        stage();
        ProcessBuilder builder = new ProcessBuilder("git", "-C", cli.repo.toString(), "commit", "-q", "-m", "with hook").redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process git = builder.start();
        String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).isNotZero();
        assertThat(output).contains("ensemble: no usable model")
                .contains("commit blocked (ensemble precommit exited 3); to commit without the review: git commit --no-verify");
    }

    @Test
    void aRecordedLauncherIsPreferredAndQuoted() {
        String script = PrecommitCommand.script(Optional.of(Path.of("/opt/it's here/ensemble")), List.of());
        assertThat(script).contains("launcher='/opt/it'\\''s here/ensemble'").contains("review \"$launcher\" precommit;");
    }

    private int commit(Path bin, String stubExit) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", cli.repo.toString(), "commit", "-q", "-m", "with hook"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("STUB_EXIT", stubExit);
        Process git = builder.start();
        new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return git.waitFor();
    }
}
