package dev.ensemble.agents.process;

import static dev.ensemble.agents.process.Launches.ENV;
import static dev.ensemble.agents.process.Launches.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ensemble.testkit.NoProcessLeft;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The launcher without a sandbox: the environment, and the process-tree cleanup that holds with the sandbox off. */
@ExtendWith(NoProcessLeft.class)
class LauncherTest {
    @TempDir Path tmp;

    private final Launcher launcher = Launcher.unconfined().withKillGrace(Duration.ofMillis(300));

    @Test
    void theChildGetsExactlyItsEnvironmentPlusTheLaunchMarker() throws Exception {
        var result = Launches.run(launcher, LaunchSpec.of(sh("env | sort"), tmp, ENV), Duration.ofSeconds(20));

        assertThat(result.exitCode()).isZero();
        assertThat(result.output().lines().map(l -> l.substring(0, l.indexOf('='))).filter(n -> !n.equals("PWD")
                && !n.equals("SHLVL") && !n.equals("_"))).containsExactly("ENSEMBLE_LAUNCH", "LANG", "PATH");
    }

    @Test
    void aDetachedSetsidGrandchildAndATermIgnoringChildAreGoneAfterTheLaunch() throws Exception {
        Path marker = tmp.resolve("late-write");
        // The child exits at once; what it left behind would write the file 2 s later.
        String script = "setsid sh -c 'sleep 2; echo late > " + marker + "' >/dev/null 2>&1 </dev/null & "
                + "(sh -c 'trap \"\" TERM; sleep 2; echo late2 >> " + marker + "' >/dev/null 2>&1 </dev/null &) ; "
                + "sleep 0.3; exit 0";
        var result = Launches.run(launcher, LaunchSpec.of(sh(script), tmp, ENV), Duration.ofSeconds(20));

        assertThat(result.exitCode()).isZero();
        assertThat(result.killed()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Launcher.survivors()).isEmpty();
        Thread.sleep(2_500);
        assertThat(marker).doesNotExist();
    }

    @Test
    void aTimeoutEndsTheWholeTreeEvenWhenItIgnoresTerm() throws Exception {
        var result = Launches.run(launcher, LaunchSpec.of(sh("trap '' TERM; (trap '' TERM; sleep 60) & sleep 60"), tmp, ENV),
                Duration.ofMillis(500));

        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.killed()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Launcher.survivors()).isEmpty();
    }

    @Test
    void aForkBombIsCappedByItsPidsCgroupAndEnded() throws Exception {
        assumeTrue(PidsCgroup.parent().isPresent(), "no writable pids cgroup here");
        try (Launch launch = launcher.start(LaunchSpec.of(sh("f() { f | f & }; f; sleep 5"), tmp, ENV).withPidsLimit(40))) {
            Thread.sleep(1_500);
            assertThat(launch.members().size()).isLessThanOrEqualTo(40);
        }
        assertThat(Launcher.survivors()).isEmpty();
    }

    @Test
    void aCommandThatCannotStartSaysWhy() {
        Path missing = tmp.resolve("no-such-program");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcher.start(LaunchSpec.of(java.util.List.of(missing.toString()),
                tmp, ENV))).isInstanceOf(java.io.IOException.class).hasMessageContaining("no-such-program");
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void scratchFilesGoOnATmpfsOnlyWhereThereIsOne() throws Exception {
        boolean diskTmp = !Files.getFileStore(tmp).type().equals("tmpfs");
        if (diskTmp) assertThat(Launcher.tmpfs(tmp)).isEmpty();
        assertThat(Launcher.tmpfs(tmp.resolve("missing"))).isEmpty();
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"), "no /dev/shm tmpfs here");
        assertThat(Launcher.tmpfs(shm)).contains(shm);
        assertThat(Launcher.SCRATCH_BASE).contains(shm);
    }
}
