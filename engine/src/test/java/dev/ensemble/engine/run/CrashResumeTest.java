package dev.ensemble.engine.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a run: a child JVM runs the crash plan until a and e are accepted and b
 * and c are running, then dies by {@link Process#destroyForcibly()}; the run is resumed here.
 */
class CrashResumeTest {
    @TempDir Path crashed;
    @TempDir Path uninterrupted;

    @Test
    void aRunKilledMidTaskResumesToTheSameStateWithoutRedoingAcceptedTasks() throws Exception {
        Path log = crashed.resolve("executions.log");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                crashed.toString(), log.toString())
                .redirectErrorStream(true).redirectOutput(crashed.resolve("child.out").toFile()).start();
        try (Store store = waitForStore(child)) {
            RunStore runs = new RunStore(store);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!midRun(runs)) {
                assertThat(child.isAlive()).as("child JVM still running; output: %s", output()).isTrue();
                assertThat(System.nanoTime()).as("the child reached the middle of the run").isLessThan(deadline);
                Thread.sleep(50);
            }
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            RunState atKill = runs.load("crash");
            assertThat(atKill.status()).isEqualTo(RunStatus.RUNNING);
            assertThat(statuses(atKill)).containsEntry("a", TaskStatus.ACCEPTED).containsEntry("e", TaskStatus.ACCEPTED)
                    .containsEntry("b", TaskStatus.RUNNING).containsEntry("c", TaskStatus.RUNNING)
                    .containsEntry("d", TaskStatus.PENDING);

            RunResult resumed = new Scheduler(runs, CrashChild.logging(log, false), new SchedulerSettings(4, 2, 1)).resume("crash");

            assertThat(resumed.status()).isEqualTo(RunStatus.DONE);
            List<String> executions = Files.readAllLines(log);
            Map<String, Long> perTask = executions.stream().collect(Collectors.groupingBy(l -> l.split(" ")[0], Collectors.counting()));
            // a and e were accepted before the kill (e on its retry): not run again. b and c ran
            // once in the child and once more, with the same attempt number, after the resume.
            assertThat(perTask).containsEntry("a", 1L).containsEntry("e", 2L).containsEntry("b", 2L)
                    .containsEntry("c", 2L).containsEntry("d", 1L);
            assertThat(executions.stream().filter(l -> l.startsWith("b ")).toList()).containsExactly("b 1 0", "b 1 0");

            try (Store other = Store.open(StoreSettings.DEFAULT, uninterrupted, ref -> null)) {
                RunResult reference = new Scheduler(new RunStore(other), Fixtures::crashPlanOutcome, new SchedulerSettings(4, 2, 1))
                        .run("crash", Fixtures.crashPlan());
                assertThat(runs.load("crash").tasks()).extracting(Fixtures::essence)
                        .containsExactlyElementsOf(reference.tasks().stream().map(Fixtures::essence).toList());
                assertThat(resumed.usage()).isEqualTo(reference.usage());
                assertThat(resumed.costUsd()).isEqualTo(reference.costUsd());
            }
        } finally {
            child.destroyForcibly();
        }
    }

    private Store waitForStore(Process child) throws InterruptedException {
        // The child creates and migrates the database; opening it here first would race that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (Files.exists(crashed.resolve("executions.log"))) return Store.open(StoreSettings.DEFAULT, crashed, ref -> null);
            assertThat(child.isAlive()).as("child JVM still running; output: %s", output()).isTrue();
            assertThat(System.nanoTime()).as("the child started executing tasks").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean midRun(RunStore runs) {
        Optional<RunState> run = runs.find("crash");
        if (run.isEmpty()) return false;
        Map<String, TaskStatus> s = statuses(run.get());
        return s.get("a") == TaskStatus.ACCEPTED && s.get("e") == TaskStatus.ACCEPTED
                && s.get("b") == TaskStatus.RUNNING && s.get("c") == TaskStatus.RUNNING;
    }

    private static Map<String, TaskStatus> statuses(RunState run) {
        return run.tasks().stream().collect(Collectors.toMap(TaskRecord::taskId, TaskRecord::status));
    }

    private String output() {
        try {
            return Files.readString(crashed.resolve("child.out"));
        } catch (Exception e) {
            return "(none)";
        }
    }
}
