package dev.ensemble.engine.run;

import dev.ensemble.core.Usage;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a plan's DAG: a task starts once all its dependencies are accepted, at most
 * {@link SchedulerSettings#parallelism()} at a time, each on its own virtual thread. A failed or
 * rejected attempt on the task's first model is retried with its reason, then handed to the next
 * fallback step, one try each, until the steps are spent; an attempt a budget refused is not
 * retried on its model but goes to the next step at once. The dependents of a task that ends
 * failed are skipped with that reason.
 *
 * <p>One thread (the caller's) decides what starts; task threads only run attempts and write their
 * own task's row. Every change reaches the {@link RunStore} before it takes effect, which is what
 * makes {@link #resume} exact: accepted tasks are never run again, a task found running is run
 * again with the same attempt number (the executor is idempotent per attempt), pending ones proceed.
 */
public final class Scheduler {
    private final RunStore runs;
    private final TaskExecutor executor;
    private final SchedulerSettings settings;
    private final RunListener listener;

    public Scheduler(RunStore runs, TaskExecutor executor, SchedulerSettings settings) {
        this(runs, executor, settings, RunListener.NONE);
    }

    public Scheduler(RunStore runs, TaskExecutor executor, SchedulerSettings settings, RunListener listener) {
        this.runs = Objects.requireNonNull(runs, "runs");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Saves the plan for the run (creating the run when the store has none by that id) and runs it.
     * The plan should have passed {@code PlanValidator}; tasks whose dependencies can never be
     * accepted (unknown ids, cycles) end skipped rather than hanging the run.
     *
     * @throws IllegalStateException when the run already has a plan: {@link #resume} it instead
     */
    public RunResult run(String runId, Plan plan) {
        Optional<RunState> existing = runs.find(runId);
        if (existing.isEmpty()) {
            runs.create(runId, plan.request());
        } else if (existing.get().plan().isPresent()) {
            throw new IllegalStateException("run " + runId + " already has a plan: resume it instead");
        }
        runs.savePlan(runId, plan);
        return drive(runId, plan, runs.load(runId).tasks());
    }

    /**
     * Finishes a run that stopped (a crash, kill -9): accepted tasks stay as they are, tasks found
     * running are run again with the attempt they were on, pending tasks proceed. Tasks that ended
     * failed stay failed. A finished run is returned as it is, unless it was marked failed by an
     * error that left tasks unfinished: those go on.
     *
     * @throws java.util.NoSuchElementException when there is no such run
     * @throws IllegalStateException            when it stopped before its plan was saved
     */
    public RunResult resume(String runId) {
        RunState state = runs.load(runId);
        Plan plan = state.plan().orElseThrow(() -> new IllegalStateException(
                "run " + runId + " has no plan yet (it stopped while " + state.status().key() + "): plan it again"));
        boolean unfinished = state.tasks().stream().anyMatch(t -> !t.status().finished());
        if (state.status().finished() && !unfinished) return new RunResult(runId, state.status(), state.tasks());
        return drive(runId, plan, state.tasks());
    }

    private record Completion(TaskRecord record, Throwable error) {}

    private RunResult drive(String runId, Plan plan, List<TaskRecord> stored) {
        Map<String, TaskRecord> records = new LinkedHashMap<>();
        stored.forEach(r -> records.put(r.taskId(), r));
        Map<String, PlanTask> tasks = new HashMap<>();
        Map<String, Integer> position = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        for (PlanTask task : plan.tasks()) {
            position.put(task.id(), position.size());
            tasks.put(task.id(), task);
            for (String dep : task.dependsOn()) dependents.computeIfAbsent(dep, d -> new ArrayList<>()).add(task.id());
        }
        // Dependencies not yet accepted, per unfinished task; plan order breaks ties among ready tasks.
        Map<String, Integer> waiting = new HashMap<>();
        PriorityQueue<String> ready = new PriorityQueue<>((a, b) -> Integer.compare(position.get(a), position.get(b)));
        ArrayDeque<String> ended = new ArrayDeque<>();
        for (PlanTask task : plan.tasks()) {
            TaskRecord record = records.get(task.id());
            if (record.status().finished()) {
                if (record.status() != TaskStatus.ACCEPTED) ended.add(task.id());
                continue;
            }
            int open = (int) task.dependsOn().stream()
                    .filter(dep -> !records.containsKey(dep) || records.get(dep).status() != TaskStatus.ACCEPTED).count();
            waiting.put(task.id(), open);
            if (open == 0) ready.add(task.id());
        }
        // A crash may have come between a task failing and its dependents being marked skipped.
        skipDependents(runId, ended, records, dependents, waiting, ready);

        BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
        AtomicBoolean aborted = new AtomicBoolean();
        int inFlight = 0;
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            while (true) {
                while (inFlight < settings.parallelism() && !ready.isEmpty()) {
                    String id = ready.poll();
                    waiting.remove(id);
                    TaskRecord from = records.get(id);
                    PlanTask task = tasks.get(id);
                    threads.execute(() -> {
                        try {
                            completions.add(new Completion(attempts(runId, task, from, aborted), null));
                        } catch (Throwable e) {
                            completions.add(new Completion(null, e));
                        }
                    });
                    inFlight++;
                }
                if (inFlight == 0) break;
                Completion done = completions.take();
                inFlight--;
                if (done.error() != null) {
                    aborted.set(true);
                    threads.shutdownNow();
                    throw crash(done.error());
                }
                TaskRecord record = done.record();
                records.put(record.taskId(), record);
                if (record.status() == TaskStatus.ACCEPTED) {
                    for (String next : dependents.getOrDefault(record.taskId(), List.of())) {
                        Integer open = waiting.get(next);
                        if (open == null) continue;
                        waiting.put(next, open - 1);
                        if (open == 1) ready.add(next);
                    }
                } else {
                    skipDependents(runId, new ArrayDeque<>(List.of(record.taskId())), records, dependents, waiting, ready);
                }
            }
        } catch (InterruptedException e) {
            aborted.set(true);
            threads.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("run " + runId + " was interrupted; resume it to finish", e);
        } finally {
            threads.close();
        }
        // What is still waiting depends on an unknown task or sits in a cycle: it can never start.
        for (String id : new ArrayList<>(waiting.keySet())) {
            List<String> open = tasks.get(id).dependsOn().stream()
                    .filter(dep -> !records.containsKey(dep) || records.get(dep).status() != TaskStatus.ACCEPTED).toList();
            skip(runId, records, id, "dependencies never accepted: " + String.join(", ", open));
        }
        boolean allAccepted = records.values().stream().allMatch(r -> r.status() == TaskStatus.ACCEPTED);
        RunStatus status = allAccepted ? RunStatus.DONE : RunStatus.FAILED;
        runs.markStatus(runId, status);
        RunResult result = new RunResult(runId, status, List.copyOf(records.values()));
        listener.runFinished(result);
        return result;
    }

    /** Skips every unfinished task downstream of the ended ones, naming the dependency that did not make it. */
    private void skipDependents(String runId, ArrayDeque<String> ended, Map<String, TaskRecord> records,
                                Map<String, List<String>> dependents, Map<String, Integer> waiting, PriorityQueue<String> ready) {
        while (!ended.isEmpty()) {
            String id = ended.poll();
            TaskStatus why = records.get(id).status();
            for (String next : dependents.getOrDefault(id, List.of())) {
                if (waiting.remove(next) == null) continue;
                ready.remove(next);
                skip(runId, records, next, "dependency " + id + (why == TaskStatus.SKIPPED ? " was skipped" : " failed"));
                ended.add(next);
            }
        }
    }

    private void skip(String runId, Map<String, TaskRecord> records, String id, String reason) {
        TaskRecord skipped = records.get(id).skipped(reason, runs.now());
        runs.save(skipped);
        records.put(id, skipped);
        listener.taskSkipped(runId, skipped);
    }

    /** Runs one task's attempts down the fallback steps; returns its final record, or null when the run was aborted. */
    private TaskRecord attempts(String runId, PlanTask task, TaskRecord from, AtomicBoolean aborted) {
        TaskRecord record = from;
        int attempt = 1;
        int step = 0;
        Optional<String> previousFailure = Optional.empty();
        Optional<String> interruptedSession = Optional.empty();
        if (from.status() == TaskStatus.RUNNING && from.attempt() > 0) {
            // Interrupted by a crash: the same attempt again, with the failure it was answering and
            // the agent session it had started (recorded as soon as the agent named it).
            attempt = from.attempt();
            step = from.fallbackStep();
            if ((attempt > 1 || step > 0) && !from.reason().isEmpty()) previousFailure = Optional.of(from.reason());
            interruptedSession = from.sessionId();
        }
        TaskRecord lastTried = null;
        while (true) {
            if (aborted.get()) return null;
            record = record.running(attempt, step, previousFailure.orElse(""), interruptedSession, runs.now());
            runs.save(record);
            listener.taskStarted(runId, task, attempt, step);
            TaskOutcome outcome;
            try {
                outcome = executor.execute(new TaskRequest(runId, task, attempt, step, previousFailure, interruptedSession));
            } catch (RuntimeException e) {
                outcome = TaskOutcome.failed("executor error: " + e, "", "", Usage.ZERO, 0, Duration.ZERO);
            }
            // A crash would not have recorded this outcome either: leave the row running for resume.
            if (aborted.get()) return null;
            interruptedSession = Optional.empty();
            if (outcome.accepted()) {
                record = record.after(outcome, TaskStatus.ACCEPTED, runs.now());
                runs.save(record);
                listener.taskFinished(runId, record);
                return record;
            }
            if (outcome.status() == TaskOutcome.Status.EXHAUSTED) {
                // Nothing ran: the task ends on its last real attempt's numbers, so the report counts tries made.
                record = (lastTried != null ? lastTried : record).after(outcome, TaskStatus.FAILED, runs.now());
                runs.save(record);
                listener.taskFinished(runId, record);
                return record;
            }
            if (step == 0 && attempt < settings.firstStepAttempts() && outcome.status() != TaskOutcome.Status.REFUSED) {
                attempt++;
            } else if (step < settings.fallbackSteps()) {
                // A budget's refusal is not retried on the same model: straight to the next step.
                step++;
                attempt = 1;
            } else {
                record = record.after(outcome, TaskStatus.of(outcome.status()), runs.now());
                runs.save(record);
                listener.taskFinished(runId, record);
                return record;
            }
            // Saved with the next attempt's "running" row just below, so the store never shows a
            // failure the scheduler is about to retry as if it were final.
            record = record.after(outcome, TaskStatus.RUNNING, runs.now());
            lastTried = record;
            previousFailure = Optional.of(outcome.reason().isEmpty() ? outcome.status().name().toLowerCase(java.util.Locale.ROOT) : outcome.reason());
            listener.taskRetrying(runId, record);
        }
    }

    private static RuntimeException crash(Throwable error) {
        if (error instanceof Error e) throw e;
        if (error instanceof RuntimeException e) return e;
        return new IllegalStateException(error);
    }
}
