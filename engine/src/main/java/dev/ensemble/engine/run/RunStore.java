package dev.ensemble.engine.run;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanJson;
import dev.ensemble.engine.store.Store;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs and their tasks in the store ({@code runs}, {@code run_tasks}). The scheduler writes here
 * before each change takes effect: a task is "running with attempt n" before the executor is called,
 * accepted only after it returned. Text that may quote a model (request, reasons) is redacted.
 */
public final class RunStore {
    private static final String UPDATE_TASK = """
            UPDATE run_tasks SET status = :status, attempts = :attempts, fallback_step = :step, agent = :agent,
                   model = :model, reason = :reason, input_tokens = :input, output_tokens = :output, cached_tokens = :cached,
                   cost_usd = :cost, duration_ms = :durationMs, files = :files, session_id = :sessionId, updated_at = :at
             WHERE run_id = :runId AND task_id = :taskId""";

    /**
     * One line of {@code ensemble runs}.
     *
     * @param tasks      the tasks of its plan (0 before planning)
     * @param dispatched how many of them have started (0 for a plan saved but not approved yet)
     */
    public record RunInfo(String runId, String request, RunStatus status, Instant createdAt, Instant updatedAt, RunKind kind,
                          int tasks, int dispatched) {}

    private final Store store;
    private final Clock clock;

    public RunStore(Store store) {
        this(store, Clock.systemUTC());
    }

    public RunStore(Store store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Store store() {
        return store;
    }

    Instant now() {
        return clock.instant();
    }

    /** Records a new {@code go} run with no plan yet. @throws RuntimeException when the id is taken */
    public void create(String runId, String request) {
        create(runId, request, RunKind.GO);
    }

    /** Records a new run of that kind with no plan yet. @throws RuntimeException when the id is taken */
    public void create(String runId, String request, RunKind kind) {
        String at = now().toString();
        store.write(handle -> handle.createUpdate("INSERT INTO runs (run_id, request, status, created_at, updated_at, kind) "
                        + "VALUES (:runId, :request, 'created', :at, :at, :kind)")
                .bind("runId", runId).bind("request", Redactor.global().redact(request)).bind("at", at)
                .bind("kind", kind.key()).execute());
    }

    public boolean exists(String runId) {
        return store.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM runs WHERE run_id = :runId")
                .bind("runId", runId).mapTo(Long.class).one()) > 0;
    }

    public void markStatus(String runId, RunStatus status) {
        int rows = store.write(handle -> handle.createUpdate("UPDATE runs SET status = :status, updated_at = :at WHERE run_id = :runId")
                .bind("status", status.key()).bind("at", now().toString()).bind("runId", runId).execute());
        if (rows == 0) throw new NoSuchElementException("no run " + runId);
    }

    /**
     * Saves the plan and one pending row per task, and marks the run running, in one transaction:
     * a crash leaves either no plan or the whole of it.
     */
    public void savePlan(String runId, Plan plan) {
        String json = PlanJson.write(plan);
        Instant at = now();
        store.write(handle -> handle.inTransaction(tx -> {
            int rows = tx.createUpdate("UPDATE runs SET plan_json = :plan, status = 'running', updated_at = :at WHERE run_id = :runId")
                    .bind("plan", json).bind("at", at.toString()).bind("runId", runId).execute();
            if (rows == 0) throw new NoSuchElementException("no run " + runId);
            var batch = tx.prepareBatch("INSERT INTO run_tasks (run_id, task_id, position, status, updated_at) "
                    + "VALUES (:runId, :taskId, :position, 'pending', :at)");
            for (int i = 0; i < plan.tasks().size(); i++) {
                batch.bind("runId", runId).bind("taskId", plan.tasks().get(i).id()).bind("position", i)
                        .bind("at", at.toString()).add();
            }
            if (!plan.tasks().isEmpty()) batch.execute();
            return null;
        }));
    }

    /** Writes a task's row as the record says. */
    public void save(TaskRecord task) {
        Redactor redactor = Redactor.global();
        int rows = store.write(handle -> handle.createUpdate(UPDATE_TASK)
                .bind("status", task.status().key())
                .bind("attempts", task.attempt())
                .bind("step", task.fallbackStep())
                .bind("agent", task.agent())
                .bind("model", task.model())
                .bind("reason", redactor.redact(task.reason()))
                .bind("input", task.usage().inputTokens())
                .bind("output", task.usage().outputTokens())
                .bind("cached", task.usage().cachedInputTokens())
                .bind("cost", task.costUsd())
                .bind("durationMs", task.duration().toMillis())
                .bind("files", String.join("\n", task.files()))
                .bind("sessionId", task.sessionId().orElse(""))
                .bind("at", task.updatedAt().toString())
                .bind("runId", task.runId())
                .bind("taskId", task.taskId())
                .execute());
        if (rows == 0) throw new NoSuchElementException("no task " + task.taskId() + " in run " + task.runId());
    }

    /**
     * Records the agent session of a running task's current attempt as soon as the agent names it,
     * so that after a crash the attempt resumes that session instead of starting over. Only a
     * running task is touched: a late event after the outcome was saved changes nothing.
     */
    public void recordSession(String runId, String taskId, String sessionId) {
        store.write(handle -> handle.createUpdate("""
                UPDATE run_tasks SET session_id = :sessionId, updated_at = :at
                 WHERE run_id = :runId AND task_id = :taskId AND status = :running""")
                .bind("sessionId", sessionId)
                .bind("at", now().toString())
                .bind("runId", runId)
                .bind("taskId", taskId)
                .bind("running", TaskStatus.RUNNING.key())
                .execute());
    }

    /** @throws NoSuchElementException when there is no such run */
    public RunState load(String runId) {
        return find(runId).orElseThrow(() -> new NoSuchElementException("no run " + runId));
    }

    public Optional<RunState> find(String runId) {
        return store.jdbi().withHandle(handle -> {
            Optional<RunState> head = handle.createQuery("SELECT * FROM runs WHERE run_id = :runId").bind("runId", runId)
                    .map((rs, ctx) -> {
                        String request = rs.getString("request");
                        String json = rs.getString("plan_json");
                        Optional<Plan> plan = json.isEmpty() ? Optional.empty() : Optional.of(PlanJson.read(request, json));
                        return new RunState(runId, request, plan, RunStatus.fromKey(rs.getString("status")), List.of(),
                                Instant.parse(rs.getString("created_at")), Instant.parse(rs.getString("updated_at")),
                                RunKind.fromKey(rs.getString("kind")));
                    }).findOne();
            if (head.isEmpty()) return head;
            List<TaskRecord> tasks = handle.createQuery("SELECT * FROM run_tasks WHERE run_id = :runId ORDER BY position")
                    .bind("runId", runId).map((rs, ctx) -> task(rs)).list();
            RunState run = head.get();
            return Optional.of(new RunState(runId, run.request(), run.plan(), run.status(), tasks, run.createdAt(), run.updatedAt(),
                    run.kind()));
        });
    }

    /** All runs, newest first. */
    public List<RunInfo> list() {
        return store.jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT run_id, request, status, created_at, updated_at, kind,
                               (SELECT COUNT(*) FROM run_tasks t WHERE t.run_id = runs.run_id) AS tasks,
                               (SELECT COUNT(*) FROM run_tasks t WHERE t.run_id = runs.run_id AND t.status <> 'pending') AS dispatched
                          FROM runs ORDER BY created_at DESC, run_id""")
                .map((rs, ctx) -> new RunInfo(rs.getString("run_id"), rs.getString("request"),
                        RunStatus.fromKey(rs.getString("status")), Instant.parse(rs.getString("created_at")),
                        Instant.parse(rs.getString("updated_at")), RunKind.fromKey(rs.getString("kind")), rs.getInt("tasks"),
                        rs.getInt("dispatched")))
                .list());
    }

    private static TaskRecord task(ResultSet rs) throws SQLException {
        String files = rs.getString("files");
        String session = rs.getString("session_id");
        return new TaskRecord(rs.getString("run_id"), rs.getString("task_id"), TaskStatus.fromKey(rs.getString("status")),
                rs.getInt("attempts"), rs.getInt("fallback_step"), rs.getString("agent"), rs.getString("model"),
                rs.getString("reason"),
                new Usage(rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_tokens")),
                rs.getDouble("cost_usd"), Duration.ofMillis(rs.getLong("duration_ms")),
                files.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(files.split("\n"))),
                session.isEmpty() ? Optional.empty() : Optional.of(session), Instant.parse(rs.getString("updated_at")));
    }
}
