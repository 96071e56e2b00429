package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fingerprint sees each kind of write it claims to (else every "nothing written" check would pass for nothing). */
class RepoFingerprintTest {
    @TempDir Path dir;

    @FunctionalInterface
    interface Change {
        void apply(CliHarness cli) throws Exception;
    }

    private List<String> changedParts(Change change) throws Exception {
        CliHarness cli = new CliHarness(dir.resolve("case-" + System.nanoTime()));
        RepoFingerprint before = RepoFingerprint.of(cli.repo);
        assertThat(RepoFingerprint.of(cli.repo).changesSince(before)).as("looking twice changes nothing").isEmpty();
        change.apply(cli);
        return RepoFingerprint.of(cli.repo).changesSince(before).stream().map(c -> c.substring(0, c.indexOf(':'))).toList();
    }

    @Test
    void eachKindOfWriteIsSeen() throws Exception {
        assertThat(changedParts(cli -> cli.git("commit", "-q", "--allow-empty", "-m", "x"))).contains("HEAD", "refs");
        assertThat(changedParts(cli -> {
            Files.writeString(cli.repo.resolve("new.txt"), "x");
            cli.git("add", "new.txt");
        })).contains("index", "status", "files");
        assertThat(changedParts(cli -> cli.git("branch", "ensemble/run/_run"))).containsExactly("refs");
        assertThat(changedParts(cli -> cli.git("checkout", "-q", "--detach"))).contains("HEAD").doesNotContain("refs", "index");
        assertThat(changedParts(cli -> cli.git("worktree", "add", "-q", "--detach", cli.repo.resolve("../wt").toString())))
                .containsExactly("worktrees");
        assertThat(changedParts(cli -> Files.writeString(cli.repo.resolve(".git/info/exclude"), "/.ensemble/\n"))).containsExactly(".git/info");
        assertThat(changedParts(cli -> Files.writeString(cli.repo.resolve(".git/hooks/pre-commit"), "#!/bin/sh\n")))
                .containsExactly(".git/hooks");
        assertThat(changedParts(cli -> cli.git("config", "ensemble.test", "1"))).containsExactly(".git/config");
        assertThat(changedParts(cli -> Files.createDirectories(cli.repo.resolve(".ensemble")))).contains(".ensemble");
        assertThat(changedParts(cli -> {
            Files.createDirectories(cli.repo.resolve(".ensemble"));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + cli.repo.resolve(".ensemble/ensemble.db"));
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE runs (id TEXT)");
                s.execute("INSERT INTO runs VALUES ('run-1')");
            }
        })).contains(".ensemble", "store rows");
    }

    @Test
    void aRowAddedToAnExistingStoreIsSeen() throws Exception {
        CliHarness cli = new CliHarness(dir);
        Files.createDirectories(cli.repo.resolve(".ensemble"));
        String url = "jdbc:sqlite:" + cli.repo.resolve(".ensemble/ensemble.db");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE runs (id TEXT, status TEXT)");
        }
        RepoFingerprint before = RepoFingerprint.of(cli.repo);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO runs VALUES ('run-1', 'planning')");
        }
        assertThat(RepoFingerprint.of(cli.repo).changesSince(before)).singleElement().asString()
                .startsWith("store rows: runs: 0 rows").contains("run-1 | planning");
    }

    @Test
    void aFolderThatIsNoRepositoryIsComparedByItsFiles() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        RepoFingerprint before = RepoFingerprint.of(outside);
        assertThat(before.parts().get("HEAD")).isEqualTo(RepoFingerprint.NOT_A_REPOSITORY);
        Files.createDirectories(outside.resolve(".ensemble"));
        Files.writeString(outside.resolve("a.txt"), "x");
        assertThat(RepoFingerprint.of(outside).changesSince(before)).extracting(c -> c.substring(0, c.indexOf(':')))
                .containsExactly(".ensemble", "files");
    }
}
