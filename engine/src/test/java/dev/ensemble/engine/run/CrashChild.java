package dev.ensemble.engine.run;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The process {@link CrashResumeTest} kills with kill -9: runs {@link Fixtures#crashPlan()} in the
 * store under {@code args[0]}, logging every execution to {@code args[1]}; tasks b and c sleep long
 * enough that the kill finds them running.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        Path log = Path.of(args[1]);
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            new Scheduler(new RunStore(store), logging(log, true), new SchedulerSettings(4, 2, 1)).run("crash", Fixtures.crashPlan());
        }
    }

    /** The crash plan's executor, logging "id attempt step" per execution; slow: b and c sleep a minute. */
    static TaskExecutor logging(Path log, boolean slow) {
        return request -> {
            String id = request.task().id();
            append(log, id + " " + request.attempt() + " " + request.fallbackStep() + "\n");
            if (slow && (id.equals("b") || id.equals("c"))) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Fixtures.crashPlanOutcome(request);
        };
    }

    private static synchronized void append(Path log, String line) {
        try {
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
