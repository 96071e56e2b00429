package dev.ensemble.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentProcessTest {
    @TempDir Path tmp;

    private final AgentProcess runner = new AgentProcess(Duration.ofMillis(300), 1024);

    private AgentProcess.Outcome run(List<String> lines, Duration timeout, Map<String, String> env, String... command) {
        return runner.run(new AgentProcess.Spec(List.of(command), tmp, env, timeout), lines::add);
    }

    @Test
    void deliversStdoutLinesAndTheExitCode() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        AgentProcess.Outcome outcome = run(lines, Duration.ofSeconds(20), Map.of("PATH", "/usr/bin:/bin"),
                "/bin/sh", "-c", "echo one; echo two; echo oops >&2; exit 7");

        assertThat(lines).containsExactly("one", "two");
        assertThat(outcome.exitCode()).isEqualTo(7);
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.stderr()).isEqualTo("oops\n");
        assertThat(outcome.started()).isTrue();
    }

    @Test
    void theEnvironmentIsExactlyTheOneGivenAndStdinIsEmpty() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        AgentProcess.Outcome outcome = run(lines, Duration.ofSeconds(20), Map.of("PATH", "/usr/bin:/bin", "ONLY_THIS", "x"),
                "/bin/sh", "-c", "env | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_=' | grep -v '^ENSEMBLE_LAUNCH=' | sort; cat; echo end");

        assertThat(lines).containsExactly("ONLY_THIS=x", "PATH=/usr/bin:/bin", "end");
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void stderrIsBoundedToItsEnd() {
        AgentProcess.Outcome outcome = run(new ArrayList<>(), Duration.ofSeconds(20), Map.of("PATH", "/usr/bin:/bin"),
                "/bin/sh", "-c", "i=0; while [ $i -lt 500 ]; do echo line-$i >&2; i=$((i+1)); done");

        assertThat(outcome.stderr().length()).isLessThanOrEqualTo(1025);
        assertThat(outcome.stderr()).startsWith("…").endsWith("line-499\n");
    }

    @Test
    void aTimeoutKillsTheWholeTreeEvenWhenItIgnoresTerm() throws Exception {
        Path hang = FakeClis.install(tmp.resolve("bin"), "hang.sh", "hang");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());

        AgentProcess.Outcome outcome = run(lines, Duration.ofSeconds(2), Map.of("PATH", "/usr/bin:/bin"), hang.toString());

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.exitCode()).isEqualTo(-1);
        assertThat(lines).hasSize(1);
        long parent = Long.parseLong(Files.readString(tmp.resolve("hang-parent.pid")).strip());
        long child = Long.parseLong(Files.readString(tmp.resolve("hang-child.pid")).strip());
        assertThat(outcome.killedPids()).contains(parent, child);
        assertThat(ProcessHandle.of(parent).filter(Running::running)).as("parent").isEmpty();
        assertThat(ProcessHandle.of(child).filter(Running::running)).as("child").isEmpty();
        assertThat(outcome.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void descendantsLeftBehindAtExitAreKilled() throws Exception {
        // The CLI exits 0 but leaves a background job (like opencode's plugin install) holding stdout.
        AgentProcess.Outcome outcome = run(new ArrayList<>(), Duration.ofSeconds(20), Map.of("PATH", "/usr/bin:/bin"),
                "/bin/sh", "-c", "sleep 600 & echo $! > orphan.pid; sleep 1; exit 0");

        assertThat(outcome.exitCode()).isZero();
        long orphan = Long.parseLong(Files.readString(tmp.resolve("orphan.pid")).strip());
        assertThat(outcome.killedPids()).contains(orphan);
        assertThat(ProcessHandle.of(orphan).filter(Running::running)).isEmpty();
    }

    @Test
    void aMissingExecutableIsAStartFailure() {
        AgentProcess.Outcome outcome = run(new ArrayList<>(), Duration.ofSeconds(5), Map.of(), tmp.resolve("nope").toString());

        assertThat(outcome.started()).isFalse();
        assertThat(outcome.startFailure().get()).contains("cannot start").contains("nope");
    }

    @Test
    void aThrowingLineHandlerDoesNotStopTheReading() {
        List<String> lines = new ArrayList<>();
        AgentProcess.Outcome outcome = runner.run(new AgentProcess.Spec(List.of("/bin/sh", "-c", "echo a; echo b; echo c"), tmp,
                Map.of("PATH", "/usr/bin:/bin"), Duration.ofSeconds(20)), line -> {
                    lines.add(line);
                    if (line.equals("a")) throw new IllegalStateException("parser bug");
                });

        assertThat(lines).containsExactly("a", "b", "c");
        assertThat(outcome.exitCode()).isZero();
    }
}
