package dev.ensemble.engine.store;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.routing.Evidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Task verdicts kept in the store ({@code outcomes}): written when a task finishes (by
 * {@code ensemble exec} and the orchestrator), read back summed per model and kind by
 * {@link StoreEvidence} for the router and by {@code ensemble stats}.
 */
public final class OutcomeLog {
    private static final String INSERT = """
            INSERT INTO outcomes (recorded_at, run_id, task_id, model, agent, kind, features, verdict, cost_usd, duration_ms)
            VALUES (:recordedAt, :runId, :taskId, :model, :agent, :kind, :features, :verdict, :costUsd, :durationMs)""";

    /**
     * The outcomes of one model on one kind of task, summed.
     *
     * @param meanDurationMs the mean over all its outcomes, passed and failed
     */
    public record Summary(String model, TaskKind kind, long passes, long fails, double meanCostUsd, double meanDurationMs) {
        public long outcomes() {
            return passes + fails;
        }

        /** Passes over outcomes; 0 when there are none. */
        public double successRate() {
            return outcomes() == 0 ? 0 : (double) passes / outcomes();
        }

        public Evidence evidence() {
            return new Evidence(passes, fails, meanCostUsd, meanDurationMs / 1000.0);
        }
    }

    private final Store store;

    public OutcomeLog(Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    public Store store() {
        return store;
    }

    public void record(Outcome outcome) {
        Redactor redactor = Redactor.global();
        store.write(handle -> handle.createUpdate(INSERT)
                .bind("recordedAt", UtcText.format(outcome.recordedAt()))
                .bind("runId", outcome.runId())
                .bind("taskId", outcome.taskId())
                .bind("model", outcome.model())
                .bind("agent", outcome.agent())
                .bind("kind", outcome.kind().key())
                .bind("features", redactor.redact(outcome.features()))
                .bind("verdict", outcome.passed() ? "pass" : "fail")
                .bind("costUsd", outcome.costUsd())
                .bind("durationMs", outcome.duration().toMillis())
                .execute());
    }

    /**
     * Outcomes recorded at or after {@code since} (or ever), summed per model and kind; most
     * outcomes first, then by model and kind. Rows of a kind this version does not know are skipped.
     */
    public List<Summary> summarize(Optional<Instant> since) {
        String sql = "SELECT model, kind, SUM(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END) AS passes, "
                + "SUM(CASE WHEN verdict = 'fail' THEN 1 ELSE 0 END) AS fails, AVG(cost_usd) AS mean_cost, "
                + "AVG(duration_ms) AS mean_ms FROM outcomes"
                + (since.isPresent() ? " WHERE recorded_at >= :since" : "")
                + " GROUP BY model, kind";
        List<Summary> rows = new ArrayList<>();
        store.jdbi().useHandle(handle -> {
            var select = handle.createQuery(sql);
            since.ifPresent(at -> select.bind("since", UtcText.format(at)));
            select.map((rs, ctx) -> {
                TaskKind kind;
                try {
                    kind = TaskKind.fromKey(rs.getString("kind"));
                } catch (IllegalArgumentException e) {
                    return null;
                }
                return new Summary(rs.getString("model"), kind, rs.getLong("passes"), rs.getLong("fails"),
                        rs.getDouble("mean_cost"), rs.getDouble("mean_ms"));
            }).forEach(s -> {
                if (s != null) rows.add(s);
            });
        });
        rows.sort(Comparator.comparingLong(Summary::outcomes).reversed().thenComparing(Summary::model).thenComparing(Summary::kind));
        return rows;
    }
}
