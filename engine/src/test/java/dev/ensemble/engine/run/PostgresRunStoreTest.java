package dev.ensemble.engine.run;

import static dev.ensemble.engine.run.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.engine.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs, retries, skips and a resume on a real PostgreSQL server (zonky's embedded binaries, on 127.0.0.1). */
class PostgresRunStoreTest {
    @TempDir Path repo;

    @Test
    void aRunAndItsTasksRoundTripThroughPostgres() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
             Store store = Store.open(new StoreSettings("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres",
                     "postgres", Optional.empty()), repo, ref -> null)) {
            RunStore runs = new RunStore(store);
            Plan plan = Fixtures.plan(task("a"), task("b", "a"), task("c"), task("d", "c"));
            RunResult result = new Scheduler(runs, request -> switch (request.task().id()) {
                case "b" -> request.attempt() == 1 ? Fixtures.outcome(request, TaskOutcome.Status.FAILED, "flaky") : Fixtures.accept(request);
                case "c" -> Fixtures.outcome(request, TaskOutcome.Status.REJECTED, "outside its files");
                default -> Fixtures.accept(request);
            }, new SchedulerSettings(2, 2, 0)).run("pg-1", plan);

            RunState stored = runs.load("pg-1");
            assertThat(stored.status()).isEqualTo(RunStatus.FAILED);
            assertThat(stored.plan()).contains(plan);
            assertThat(stored.tasks()).extracting(Fixtures::essence)
                    .containsExactlyElementsOf(result.tasks().stream().map(Fixtures::essence).toList());
            assertThat(stored.task("b").orElseThrow().attempt()).isEqualTo(2);
            assertThat(stored.task("d").orElseThrow().reason()).isEqualTo("dependency c failed");
            assertThat(runs.list()).extracting(RunStore.RunInfo::status).containsExactly(RunStatus.FAILED);
        }
    }
}
