package dev.ensemble.engine.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ledger's sums that the budgets are checked against before every model call — the day's, a
 * run's, a task's — kept up to date by adding only the rows written since the last check. A full
 * sum of a day's rows grew with the day (and opened a connection each time); here each window
 * (day, run, task) is summed in full once, up to a row id, and afterwards every check reads only
 * the rows with a larger id, on the store's one kept read connection.
 *
 * <p>Correct across processes on SQLite: its ids only grow (AUTOINCREMENT), and rows are written
 * one transaction at a time, so a row another process commits later has a larger id than any this
 * tally has seen and is added at the next check. A row counts for the day by its {@code started_at},
 * so one written after midnight for a call started before it stays in yesterday. PostgreSQL hands
 * out identities before commit, so a smaller id can become visible after a larger one: there every
 * check sums in full.
 */
final class SpendTally {
    /** Runs and tasks remembered; the oldest asked-about is forgotten beyond it (and summed afresh if asked again). */
    private static final int WINDOWS = 256;

    private final Store store;
    private long lastId = -1;
    private Instant dayStart;
    private double day;
    private final Map<String, Double> runs = lru();
    private final Map<String, Double> tasks = lru();
    private final List<Unwritten> unwritten = new ArrayList<>();
    private java.sql.Connection preparedOn;
    private java.sql.PreparedStatement newer;

    SpendTally(Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** USD spent since {@code dayStart}, by the run and by the task (empty ids: 0), as of now. */
    synchronized double[] spent(Instant dayStart, String runId, String taskId) {
        String run = runId == null ? "" : runId;
        String task = taskId == null ? "" : taskId;
        double[] spent = store.isPostgres() ? full(dayStart, run, task) : stored(dayStart, run, task);
        for (Unwritten row : unwritten) {
            if (!row.startedAt().isBefore(dayStart)) spent[0] += row.usd();
            if (!run.isEmpty() && run.equals(row.run())) {
                spent[1] += row.usd();
                if (!task.isEmpty() && task.equals(row.task())) spent[2] += row.usd();
            }
        }
        return spent;
    }

    /** A row queued for the store: counted from now on, from memory until {@link #written} puts it there. */
    synchronized void queued(Unwritten row) {
        unwritten.add(row);
    }

    /**
     * Runs {@code commit}, which makes {@code rows} visible in the store, and stops counting them
     * from memory in the same step. When it throws, they stay counted from memory.
     */
    synchronized void written(List<Unwritten> rows, Runnable commit) {
        commit.run();
        for (Unwritten row : rows) unwritten.remove(row);
    }

    /** A row on its way to the store, as a budget counts it. */
    record Unwritten(Instant startedAt, String run, String task, double usd) { }

    private double[] stored(Instant dayStart, String run, String task) {
        return store.read(handle -> {
            if (lastId < 0) lastId = handle.createQuery("SELECT COALESCE(MAX(id), 0) FROM model_calls").mapTo(Long.class).one();
            // Rows newer than the last check go to every window already summed.
            List<Row> newer = newerRows(handle);
            String dayFrom = this.dayStart == null ? null : UtcText.format(this.dayStart);
            for (Row row : newer) {
                if (dayFrom != null && row.startedAt().compareTo(dayFrom) >= 0) day += row.usd();
                runs.computeIfPresent(row.run(), (k, v) -> v + row.usd());
                tasks.computeIfPresent(taskKey(row.run(), row.task()), (k, v) -> v + row.usd());
                lastId = Math.max(lastId, row.id());
            }
            if (!dayStart.equals(this.dayStart)) {
                // A new day (or the first check): its sum up to the rows seen, later ones are added as they come.
                day = sum(handle, "started_at >= :a", UtcText.format(dayStart), "");
                this.dayStart = dayStart;
            }
            double runUsd = run.isEmpty() ? 0 : runs.computeIfAbsent(run, r -> sum(handle, "run_id = :a", r, ""));
            double taskUsd = task.isEmpty() ? 0 : tasks.computeIfAbsent(taskKey(run, task),
                    k -> sum(handle, "run_id = :a AND task_id = :b", run, task));
            return new double[] {day, runUsd, taskUsd};
        });
    }

    private record Row(long id, String startedAt, String run, String task, double usd) { }

    /**
     * The rows after the last one seen, through one statement prepared once per connection: asked
     * before every call, where preparing it afresh (and Jdbi's mapping) cost more than the read.
     */
    private List<Row> newerRows(org.jdbi.v3.core.Handle handle) {
        try {
            java.sql.Connection connection = handle.getConnection();
            if (connection != preparedOn || newer == null) {
                newer = connection.prepareStatement(
                        "SELECT id, started_at, run_id, task_id, cost_usd FROM model_calls WHERE id > ? ORDER BY id");
                preparedOn = connection;
            }
            newer.setLong(1, lastId);
            List<Row> rows = new ArrayList<>();
            try (java.sql.ResultSet rs = newer.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getDouble(5)));
                }
            }
            return rows;
        } catch (java.sql.SQLException e) {
            newer = null;
            throw new StoreException("cannot read the ledger's latest rows: " + e.getMessage(), e);
        }
    }

    /** A window's rows up to the last id seen: later rows are added by the next check, never twice. */
    private double sum(org.jdbi.v3.core.Handle handle, String where, String a, String b) {
        var query = handle.createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE " + where + " AND id <= :last")
                .bind("a", a).bind("last", lastId);
        if (where.contains(":b")) query.bind("b", b);
        return query.mapTo(Double.class).one();
    }

    private double[] full(Instant dayStart, String run, String task) {
        return store.jdbi().withHandle(handle -> new double[] {
                one(handle, "started_at >= :a", UtcText.format(dayStart), ""),
                run.isEmpty() ? 0 : one(handle, "run_id = :a", run, ""),
                task.isEmpty() ? 0 : one(handle, "run_id = :a AND task_id = :b", run, task)});
    }

    private static double one(org.jdbi.v3.core.Handle handle, String where, String a, String b) {
        var query = handle.createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE " + where).bind("a", a);
        if (where.contains(":b")) query.bind("b", b);
        return query.mapTo(Double.class).one();
    }

    private static String taskKey(String run, String task) {
        return run + '\u0000' + task;
    }

    private static Map<String, Double> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
                return size() > WINDOWS;
            }
        };
    }
}
