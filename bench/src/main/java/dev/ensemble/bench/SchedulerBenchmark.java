package dev.ensemble.bench;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.run.RunResult;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.Scheduler;
import dev.ensemble.engine.run.SchedulerSettings;
import dev.ensemble.engine.run.TaskExecutor;
import dev.ensemble.engine.run.TaskOutcome;
import dev.ensemble.engine.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's own cost: whole runs of 1,000-task plans whose executor returns at once, so all
 * that is measured is dispatch plus the store writes (the plan, then "running" and "accepted" per
 * task) on SQLite in a temporary folder; then 8 independent tasks that each sleep 2 s with
 * parallelism 8, whose wall time shows the tasks really overlap. Not JMH: a sample is a whole run
 * (hundreds of milliseconds, thousands of fsync-free commits), so warm-ups and a median are the tool.
 *
 * <p>Run: {@code ./mvnw -q -B package -pl bench -am -DskipTests && $JAVA_HOME/bin/java -cp
 * bench/target/benchmarks.jar dev.ensemble.bench.SchedulerBenchmark [--tasks 1000] [--runs 7] [--parallelism 4]}
 */
public final class SchedulerBenchmark {
    private SchedulerBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int tasks = Integer.parseInt(opts.getOrDefault("tasks", "1000"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "7"));
        int parallelism = Integer.parseInt(opts.getOrDefault("parallelism", "4"));
        Path dir = Files.createTempDirectory("ensemble-scheduler-bench");

        try (Store store = Store.open(StoreSettings.DEFAULT, dir, ref -> null)) {
            RunStore runStore = new RunStore(store);
            System.out.printf(Locale.ROOT, "store: %s; %d CPUs; parallelism %d%n", store.description(),
                    Runtime.getRuntime().availableProcessors(), parallelism);
            Scheduler instant = new Scheduler(runStore, SchedulerBenchmark::accept, new SchedulerSettings(parallelism, 2, 2));
            measure("layered DAG (width 10, 2 deps each)", instant, layered(tasks, 10), runs);
            measure("independent", instant, layered(tasks, tasks), runs);
            measure("chain", instant, layered(tasks, 1), runs);

            TaskExecutor sleeper = request -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return accept(request);
            };
            Scheduler parallel = new Scheduler(runStore, sleeper, new SchedulerSettings(8, 2, 2));
            List<Double> walls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                RunResult result = parallel.run("sleep-" + i, layered(8, 8));
                walls.add((System.nanoTime() - start) / 1e9);
                check(result);
            }
            System.out.printf(Locale.ROOT, "8 independent tasks of 2 s, parallelism 8: wall %s s%n",
                    walls.stream().map(w -> String.format(Locale.ROOT, "%.3f", w)).toList());
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int next;

    private static void measure(String name, Scheduler scheduler, Plan plan, int runs) {
        for (int i = 0; i < 2; i++) check(scheduler.run("warm-" + next++, plan));
        List<Double> perTask = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            check(scheduler.run("run-" + next++, plan));
            perTask.add((System.nanoTime() - start) / 1e3 / plan.tasks().size());
        }
        Collections.sort(perTask);
        System.out.printf(Locale.ROOT, "%-40s %d tasks: µs per task median %.0f, min %.0f, max %.0f (n=%d)%n", name,
                plan.tasks().size(), perTask.get(perTask.size() / 2), perTask.getFirst(), perTask.getLast(), runs);
    }

    private static void check(RunResult result) {
        if (result.status() != RunStatus.DONE) throw new IllegalStateException("run " + result.runId() + " " + result.status());
    }

    private static TaskOutcome accept(dev.ensemble.engine.run.TaskRequest request) {
        return TaskOutcome.accepted("bench", "instant", new Usage(10, 5, 0), 0.0001, Duration.ofMillis(1),
                request.task().files());
    }

    /** Tasks in layers of {@code width}; each depends on two tasks of the layer before (one when width is 1). */
    static Plan layered(int count, int width) {
        List<PlanTask> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> deps = new ArrayList<>();
            int layerStart = (i / width) * width;
            if (layerStart > 0) {
                int prev = layerStart - width;
                deps.add("t" + (prev + i % width));
                if (width > 1) deps.add("t" + (prev + (i + 1) % width));
            }
            tasks.add(new PlanTask("t" + i, "task " + i, TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(),
                    List.of("src/t" + i + "/**"), deps, "done", false, "do task " + i));
        }
        return new Plan("benchmark", List.of(), tasks);
    }
}
