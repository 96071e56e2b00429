package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that only look at what ensemble recorded must not create anything in a repository
 * where ensemble never ran: no {@code .ensemble/}, no line in {@code .git/info/exclude}, no store.
 */
class ReadOnlyCommandsTest {
    @TempDir Path dir;

    @Test
    void lookingAtAFreshRepositoryWritesNothing() throws Exception {
        CliHarness cli = new CliHarness(dir);
        cli.secrets = CliHarness.secretsFrom(java.util.Map.of());
        RepoFingerprint before = RepoFingerprint.of(cli.repo);
        for (List<String> command : List.of(
                List.of("runs"), List.of("runs", "--json"),
                List.of("usage"), List.of("usage", "--json"), List.of("usage", "--by", "role"),
                List.of("stats"), List.of("stats", "--json"),
                List.of("route", "add a health check endpoint"))) {
            CliHarness.Run run = cli.run(command.toArray(String[]::new));
            // route on a machine with no key has nothing to route to: exit 3, and still nothing written
            int expected = command.getFirst().equals("route") ? ExitCodes.NO_MODEL : ExitCodes.OK;
            assertThat(run.exitCode()).as(command + ": " + run.all()).isEqualTo(expected);
            assertThat(RepoFingerprint.of(cli.repo).changesSince(before)).as(command + " wrote: " + run.all()).isEmpty();
        }
        CliHarness.Run report = cli.run("report", "--last");
        assertThat(report.exitCode()).as(report.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(report.err()).contains("no runs yet");
        assertThat(RepoFingerprint.of(cli.repo).changesSince(before)).isEmpty();
        CliHarness.Run usage = cli.run("usage");
        assertThat(usage.out()).contains("No model calls recorded").contains("not created yet");
    }
}
