package dev.ensemble.engine.run;

import static dev.ensemble.engine.run.Fixtures.accept;
import static dev.ensemble.engine.run.Fixtures.outcome;
import static dev.ensemble.engine.run.Fixtures.plan;
import static dev.ensemble.engine.run.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.engine.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTest {
    @TempDir Path repo;
    Store store;
    RunStore runs;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<TaskRequest> requests = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void open() {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        runs = new RunStore(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Scheduler scheduler(SchedulerSettings settings, TaskExecutor inner) {
        return new Scheduler(runs, request -> {
            requests.add(request);
            events.add("start " + request.task().id());
            TaskOutcome outcome = inner.execute(request);
            events.add("end " + request.task().id());
            return outcome;
        }, settings);
    }

    @Test
    void independentTasksRunAtTheSameTimeAndDependentsWaitForBoth() {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Scheduler scheduler = scheduler(new SchedulerSettings(4, 1, 0), request -> {
            if (request.task().id().equals("c")) return accept(request);
            bothRunning.countDown();
            try {
                // Only returns true when the other task is running too: a and b overlap.
                boolean overlapped = bothRunning.await(20, TimeUnit.SECONDS);
                return overlapped ? accept(request) : outcome(request, TaskOutcome.Status.FAILED, "ran alone");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        RunResult result = scheduler.run("r1", plan(task("a"), task("b"), task("c", "a", "b")));

        assertThat(result.status()).isEqualTo(RunStatus.DONE);
        assertThat(result.tasks()).extracting(TaskRecord::status).containsOnly(TaskStatus.ACCEPTED);
        assertThat(events.indexOf("start c")).isGreaterThan(events.indexOf("end a")).isGreaterThan(events.indexOf("end b"));
    }

    @Test
    void neverMoreTasksInFlightThanTheParallelism() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Scheduler scheduler = scheduler(new SchedulerSettings(2, 1, 0), request -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.yield();
            running.decrementAndGet();
            return accept(request);
        });
        RunResult result = scheduler.run("r1", plan(task("a"), task("b"), task("c"), task("d"), task("e"), task("f")));
        assertThat(result.count(TaskStatus.ACCEPTED)).isEqualTo(6);
        assertThat(most.get()).isBetween(1, 2);
    }

    @Test
    void dependencyOrderIsKeptAlongAChain() {
        Scheduler scheduler = scheduler(new SchedulerSettings(4, 1, 0), Fixtures::accept);
        scheduler.run("r1", plan(task("d", "c"), task("c", "b"), task("b", "a"), task("a")));
        assertThat(events).containsExactly("start a", "end a", "start b", "end b", "start c", "end c", "start d", "end d");
    }

    @Test
    void aFailureIsRetriedOnceWithItsReasonThenHandedToTheNextFallbackStep() {
        Scheduler scheduler = scheduler(new SchedulerSettings(2, 2, 2), request -> request.fallbackStep() == 0
                ? outcome(request, TaskOutcome.Status.FAILED, "tests red on try " + request.attempt())
                : accept(request));

        RunResult result = scheduler.run("r1", plan(task("x")));

        assertThat(requests).extracting(r -> r.attempt() + "/" + r.fallbackStep() + "/" + r.previousFailure().orElse("-"))
                .containsExactly("1/0/-", "2/0/tests red on try 1", "1/1/tests red on try 2");
        TaskRecord x = result.tasks().getFirst();
        assertThat(x.status()).isEqualTo(TaskStatus.ACCEPTED);
        assertThat(x.attempt()).isEqualTo(1);
        assertThat(x.fallbackStep()).isEqualTo(1);
        assertThat(x.model()).isEqualTo("model-1");
        // Tokens and cost of the failed attempts count too.
        assertThat(x.usage()).isEqualTo(new Usage(101 + 102 + 101, 10 + 10 + 11, 0));
        assertThat(x.costUsd()).isCloseTo(0.01 + 0.02 + 0.01, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.usage()).isEqualTo(x.usage());
    }

    @Test
    void aTaskFailingEveryTryIsRetriedOnceOnItsFirstModelThenTriesEachFallbackOnce() {
        Scheduler scheduler = scheduler(new SchedulerSettings(1, 2, 2), request -> outcome(request, TaskOutcome.Status.FAILED,
                "tests red at " + request.attempt() + "/" + request.fallbackStep()));

        TaskRecord x = scheduler.run("r1", plan(task("x"))).tasks().getFirst();

        assertThat(requests).extracting(r -> r.attempt() + "/" + r.fallbackStep() + "/" + r.previousFailure().orElse("-"))
                .containsExactly("1/0/-", "2/0/tests red at 1/0", "1/1/tests red at 2/0", "1/2/tests red at 1/1");
        assertThat(x.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(x.reason()).isEqualTo("tests red at 1/2");
        assertThat(x.model()).isEqualTo("model-2");
    }

    @Test
    void anExhaustedChainKeepsTheLastAgentModelAndFilesThatRanSoTheReportSaysWhoFailed() {
        // Step 0 is an agent's rejected change; later steps find no model, so no agent runs (empty agent, model and files).
        Scheduler scheduler = scheduler(new SchedulerSettings(1, 1, 1), request -> request.fallbackStep() == 0
                ? outcome(request, TaskOutcome.Status.REJECTED, "enforcer: outside-ownership README.md")
                : TaskOutcome.failed(request.previousFailure().orElse("") + " (no other model left to fall back to)", "", "",
                        Usage.ZERO, 0, Duration.ZERO));

        TaskRecord x = scheduler.run("r1", plan(task("x"))).tasks().getFirst();

        assertThat(x.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(x.reason()).isEqualTo("enforcer: outside-ownership README.md (no other model left to fall back to)");
        assertThat(x.agent()).isEqualTo("agent-0");
        assertThat(x.model()).isEqualTo("model-0");
        assertThat(x.files()).isEqualTo(task("x").files());
    }

    @Test
    void anExhaustedChainEndsTheTaskAtOnceAndCountsOnlyTheTriesMade() {
        // Two tries per step, three more steps; only step 0 has a model: after its two tries nothing is left.
        Scheduler scheduler = scheduler(new SchedulerSettings(1, 2, 3), request -> request.fallbackStep() == 0
                ? outcome(request, TaskOutcome.Status.FAILED, "tests red on try " + request.attempt())
                : TaskOutcome.exhausted(request.previousFailure().orElse("") + " (no other model left to fall back to)"));

        TaskRecord x = scheduler.run("r1", plan(task("x"))).tasks().getFirst();

        // One request finds the chain spent; the remaining attempts and steps are not spent on it.
        assertThat(requests).extracting(r -> r.attempt() + "/" + r.fallbackStep()).containsExactly("1/0", "2/0", "1/1");
        assertThat(x.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(x.reason()).isEqualTo("tests red on try 2 (no other model left to fall back to)");
        assertThat(x.attempt()).isEqualTo(2);
        assertThat(x.fallbackStep()).isZero();
        assertThat(x.model()).isEqualTo("model-0");
    }

    @Test
    void aTaskThatExhaustsItsStepsFailsAndEverythingDownstreamIsSkippedWithTheReason() {
        Scheduler scheduler = scheduler(new SchedulerSettings(2, 2, 1), request -> switch (request.task().id()) {
            case "a" -> outcome(request, TaskOutcome.Status.FAILED, "compile error");
            case "r" -> outcome(request, TaskOutcome.Status.REJECTED, "wrote outside its files");
            default -> accept(request);
        });

        RunResult result = scheduler.run("r1", plan(task("a"), task("b", "a"), task("c", "b"), task("d"),
                task("r"), task("s", "r", "d")));

        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        // Two tries of the first model, then one of the next: the retry is the first model's only.
        assertThat(requests.stream().filter(r -> r.task().id().equals("a")).count()).isEqualTo(3);
        Map<String, TaskRecord> byId = new ConcurrentHashMap<>();
        result.tasks().forEach(t -> byId.put(t.taskId(), t));
        assertThat(byId.get("a").status()).isEqualTo(TaskStatus.FAILED);
        assertThat(byId.get("a").reason()).isEqualTo("compile error");
        assertThat(byId.get("b").status()).isEqualTo(TaskStatus.SKIPPED);
        assertThat(byId.get("b").reason()).isEqualTo("dependency a failed");
        assertThat(byId.get("c").reason()).isEqualTo("dependency b was skipped");
        assertThat(byId.get("d").status()).isEqualTo(TaskStatus.ACCEPTED);
        assertThat(byId.get("r").status()).isEqualTo(TaskStatus.REJECTED);
        assertThat(byId.get("s").status()).isEqualTo(TaskStatus.SKIPPED);
        assertThat(byId.get("s").reason()).isEqualTo("dependency r failed");
        assertThat(events).doesNotContain("start b", "start c", "start s");
    }

    @Test
    void everyStateIsInTheStoreAfterTheRun() {
        Scheduler scheduler = scheduler(new SchedulerSettings(3, 2, 0), request -> request.task().id().equals("b") && request.attempt() == 1
                ? outcome(request, TaskOutcome.Status.FAILED, "flaky") : accept(request));
        Plan plan = plan(task("a"), task("b", "a"), task("c", "a"));

        RunResult result = scheduler.run("r1", plan);

        RunState stored = new RunStore(store).load("r1");
        assertThat(stored.status()).isEqualTo(RunStatus.DONE);
        assertThat(stored.plan()).contains(plan);
        assertThat(stored.request()).isEqualTo("build the thing");
        assertThat(stored.tasks()).extracting(Fixtures::essence)
                .containsExactlyElementsOf(result.tasks().stream().map(Fixtures::essence).toList());
        assertThat(stored.task("b").orElseThrow().attempt()).isEqualTo(2);
        assertThat(stored.task("b").orElseThrow().sessionId()).contains("session-b");
        assertThat(stored.task("b").orElseThrow().files()).containsExactly("src/b/**");
        assertThat(runs.list()).extracting(RunStore.RunInfo::runId).containsExactly("r1");
        // A finished run resumes to itself without running anything.
        int before = requests.size();
        assertThat(scheduler.resume("r1").tasks()).extracting(Fixtures::essence)
                .containsExactlyElementsOf(result.tasks().stream().map(Fixtures::essence).toList());
        assertThat(requests).hasSize(before);
    }

    @Test
    void aTaskIsMarkedRunningWithItsAttemptBeforeTheExecutorIsCalled() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Scheduler scheduler = new Scheduler(runs, request -> {
            TaskRecord row = runs.load(request.runId()).task(request.task().id()).orElseThrow();
            seen.add(row.status() + " " + row.attempt() + " " + row.fallbackStep() + " " + row.reason());
            return request.attempt() == 1 ? outcome(request, TaskOutcome.Status.FAILED, "lint") : accept(request);
        }, new SchedulerSettings(1, 2, 0));
        scheduler.run("r1", plan(task("a")));
        assertThat(seen).containsExactly("RUNNING 1 0 ", "RUNNING 2 0 lint");
    }

    @Test
    void anErrorInTheExecutorStopsTheRunAsACrashWouldAndResumeFinishesIt() {
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        TaskExecutor executor = request -> {
            executions.computeIfAbsent(request.task().id(), k -> new AtomicInteger()).incrementAndGet();
            if (request.task().id().equals("c") && crashOnce.getAndSet(false)) throw new OutOfMemoryError("simulated crash");
            return accept(request);
        };
        Plan plan = plan(task("a"), task("c", "a"), task("d", "c"));
        Scheduler first = new Scheduler(runs, executor, new SchedulerSettings(1, 2, 1));

        assertThatThrownBy(() -> first.run("r1", plan)).isInstanceOf(OutOfMemoryError.class);
        RunState crashed = runs.load("r1");
        assertThat(crashed.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(crashed.task("a").orElseThrow().status()).isEqualTo(TaskStatus.ACCEPTED);
        assertThat(crashed.task("c").orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(crashed.task("d").orElseThrow().status()).isEqualTo(TaskStatus.PENDING);

        RunResult resumed = new Scheduler(runs, executor, new SchedulerSettings(1, 2, 1)).resume("r1");

        assertThat(resumed.status()).isEqualTo(RunStatus.DONE);
        assertThat(executions.get("a")).hasValue(1);
        assertThat(executions.get("c")).hasValue(2);
        assertThat(resumed.tasks()).extracting(t -> t.attempt()).containsExactly(1, 1, 1);
        assertThat(runs.load("r1").status()).isEqualTo(RunStatus.DONE);
    }

    @Test
    void tasksWhoseDependenciesCanNeverBeAcceptedAreSkippedNotLeftHanging() {
        Scheduler scheduler = scheduler(new SchedulerSettings(2, 1, 0), Fixtures::accept);
        RunResult result = scheduler.run("r1", plan(task("a"), task("b", "ghost"), task("x", "y"), task("y", "x")));
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.tasks()).extracting(TaskRecord::taskId, TaskRecord::status, TaskRecord::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", TaskStatus.ACCEPTED, ""),
                org.assertj.core.groups.Tuple.tuple("b", TaskStatus.SKIPPED, "dependencies never accepted: ghost"),
                org.assertj.core.groups.Tuple.tuple("x", TaskStatus.SKIPPED, "dependencies never accepted: y"),
                org.assertj.core.groups.Tuple.tuple("y", TaskStatus.SKIPPED, "dependencies never accepted: x"));
    }

    @Test
    void aRunWithAPlanCannotBeStartedTwiceAndOneWithoutAPlanCannotBeResumed() {
        Scheduler scheduler = scheduler(new SchedulerSettings(1, 1, 0), Fixtures::accept);
        scheduler.run("r1", plan(task("a")));
        assertThatThrownBy(() -> scheduler.run("r1", plan(task("a")))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resume");

        runs.create("r2", "another request");
        runs.markStatus("r2", RunStatus.PLANNING);
        assertThatThrownBy(() -> scheduler.resume("r2")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped while planning");
        assertThatThrownBy(() -> scheduler.resume("nope")).isInstanceOf(java.util.NoSuchElementException.class);
        assertThat(runs.find("nope")).isEqualTo(Optional.empty());
    }

    @Test
    void anEmptyPlanIsDoneAtOnce() {
        RunResult result = scheduler(SchedulerSettings.DEFAULT, Fixtures::accept).run("r1", plan());
        assertThat(result.status()).isEqualTo(RunStatus.DONE);
        assertThat(result.tasks()).isEmpty();
    }
}
