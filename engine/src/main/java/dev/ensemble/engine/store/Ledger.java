package dev.ensemble.engine.store;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.CallRecord;
import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The usage ledger: every attempt at every model is one row of {@code model_calls}, and
 * {@code ensemble usage} sums them. Recording never fails the call it records.
 */
public final class Ledger implements CallObserver {
    private static final String INSERT = """
            INSERT INTO model_calls (started_at, command, run_id, task_id, role, provider, model, streamed,
                input_tokens, output_tokens, cached_input_tokens, cost_usd, latency_ms, ttft_ms, outcome,
                error_kind, error, attempt, fallback_step, key_id, client_wire)
            VALUES (:startedAt, :command, :runId, :taskId, :role, :provider, :model, :streamed,
                :inputTokens, :outputTokens, :cachedInputTokens, :costUsd, :latencyMs, :ttftMs, :outcome,
                :errorKind, :error, :attempt, :fallbackStep, :keyId, :clientWire)""";

    private static final String SUMS = """
            COUNT(*) AS calls,
            SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS failures,
            SUM(input_tokens) AS input_tokens,
            SUM(output_tokens) AS output_tokens,
            SUM(cached_input_tokens) AS cached_input_tokens,
            SUM(cost_usd) AS cost_usd,
            AVG(latency_ms) AS mean_latency_ms,
            AVG(ttft_ms) AS mean_ttft_ms""";

    private static final Comparator<UsageRow> BY_COST = Comparator.comparingDouble(UsageRow::costUsd).reversed()
            .thenComparing(Comparator.comparingLong(UsageRow::calls).reversed())
            .thenComparing(UsageRow::key);

    private final Store store;
    private final Redactor redactor;
    private final PrintStream errors;
    private final SpendTally tally;
    private volatile LedgerWriter writer;

    public Ledger(Store store) {
        this(store, Redactor.global(), System.err);
    }

    Ledger(Store store, Redactor redactor, PrintStream errors) {
        this.store = Objects.requireNonNull(store, "store");
        this.redactor = redactor;
        this.errors = errors;
        this.tally = new SpendTally(store);
    }

    /**
     * USD spent since {@code dayStart}, by the run and by its task ({0, 0, 0} for empty ids), as the
     * budgets check before every call: kept and topped up with the rows written since the last
     * check (by any process), rather than summed afresh ({@link SpendTally}).
     */
    double[] spentForBudgets(Instant dayStart, String runId, String taskId) {
        return tally.spent(dayStart, runId, taskId);
    }

    /**
     * From now on rows are written by a thread of their own, in batches, off the caller's thread
     * ({@link LedgerWriter}): for a server recording many calls at once (the gateway). Budgets still
     * see every row at once, and every read of this ledger waits for the rows recorded before it.
     * {@link #close()} writes what is queued; a process must call it before it ends.
     */
    public synchronized Ledger writeBehind() {
        if (writer == null) writer = new LedgerWriter(this::writeBatch);
        return this;
    }

    /** Waits until every row recorded so far is in the store (nothing to wait for without {@link #writeBehind()}). */
    public void flush() {
        LedgerWriter w = writer;
        if (w != null) w.flush();
    }

    /** Writes the queued rows and stops the writer thread; later rows are written on the caller's thread. Idempotent. */
    public void close() {
        LedgerWriter w = writer;
        if (w != null) w.close();
    }

    /** Inserts one row. Never throws: a row that cannot be written costs one redacted line on stderr. */
    @Override
    public void onCall(CallRecord record) {
        LedgerWriter w = writer;
        if (w == null || record == null) {
            insertReporting(record);
            return;
        }
        // The start is fixed now, as an immediate insert would have fixed it, so the day it counts for does not move.
        CallRecord row = record.startedAt() != null ? record : new CallRecord(Instant.now(), record.context(), record.provider(),
                record.modelId(), record.streamed(), record.usage(), record.costUsd(), record.latency(), record.timeToFirstToken(),
                record.outcome(), record.errorKind(), record.error());
        tally.queued(unwritten(row));
        w.submit(row);
    }

    private void insertReporting(CallRecord record) {
        try {
            store.write(handle -> bind(handle.createUpdate(INSERT), record).execute());
        } catch (RuntimeException e) {
            String model = record == null ? "?" : record.provider() + "/" + record.modelId();
            errors.println(redactor.redact("ensemble: could not record a call to " + model + " in the ledger ("
                    + store.description() + "): " + StoreException.reason(e)));
        }
    }

    /**
     * The writer thread's batch, in one transaction, committed under the tally's lock so that a
     * budget check sees each row once: queued, or in the store. If it fails, row by row, so one bad
     * row costs only itself.
     */
    private void writeBatch(List<CallRecord> rows) {
        List<SpendTally.Unwritten> counted = rows.stream().map(this::unwritten).toList();
        try {
            store.write(handle -> {
                handle.begin();
                try {
                    PreparedBatch batch = handle.prepareBatch(INSERT);
                    for (CallRecord record : rows) bind(batch, record).add();
                    batch.execute();
                    tally.written(counted, handle::commit);
                } catch (RuntimeException e) {
                    if (handle.isInTransaction()) handle.rollback();
                    throw e;
                }
                return null;
            });
        } catch (RuntimeException e) {
            rows.forEach(this::insertReporting);
            tally.written(counted, () -> { });
        }
    }

    private SpendTally.Unwritten unwritten(CallRecord record) {
        CallContext context = record.context() == null ? CallContext.NONE : record.context();
        return new SpendTally.Unwritten(record.startedAt(), text(context.runId()), text(context.taskId()), record.costUsd());
    }

    private <S extends SqlStatement<S>> S bind(S statement, CallRecord record) {
        CallContext context = record.context() == null ? CallContext.NONE : record.context();
        Usage usage = record.usage() == null ? Usage.ZERO : record.usage();
        Instant startedAt = record.startedAt() == null ? Instant.now() : record.startedAt();
        Duration latency = record.latency() == null ? Duration.ZERO : record.latency();
        // Time to first token means something only for a stream; non-streamed calls report their
        // whole latency there, which would drag the mean towards plain latency.
        Long ttftMs = record.streamed() && record.timeToFirstToken() != null ? record.timeToFirstToken().toMillis() : null;
        String outcome = record.outcome() == CallRecord.Outcome.ERROR ? "error" : "ok";
        return statement
                .bind("startedAt", UtcText.format(startedAt))
                .bind("command", text(context.command()))
                .bind("runId", text(context.runId()))
                .bind("taskId", text(context.taskId()))
                .bind("role", text(context.role()))
                .bind("provider", text(record.provider()))
                .bind("model", text(record.modelId()))
                .bind("streamed", record.streamed())
                .bind("inputTokens", usage.inputTokens())
                .bind("outputTokens", usage.outputTokens())
                .bind("cachedInputTokens", usage.cachedInputTokens())
                .bind("costUsd", record.costUsd())
                .bind("latencyMs", latency.toMillis())
                .bind("ttftMs", ttftMs)
                .bind("outcome", outcome)
                .bind("errorKind", text(record.errorKind()))
                .bind("error", text(record.error()))
                .bind("attempt", context.attempt())
                .bind("fallbackStep", context.fallbackStep())
                .bind("keyId", text(context.keyId()))
                .bind("clientWire", text(context.clientWire()));
    }

    /**
     * Ledger rows summed per group. Days come oldest first; other groupings most expensive first
     * (then most calls, then by key).
     */
    public List<UsageRow> summarize(UsageQuery query) {
        flush();
        String key = switch (query.by()) {
            case MODEL -> "model";
            case DAY -> "substr(started_at, 1, 10)";
            case ROLE -> "role";
            case PROVIDER -> "provider";
            case COMMAND -> "command";
            case KEY -> "key_id";
            case WIRE -> "client_wire";
        };
        String sql = "SELECT " + key + " AS usage_key, " + SUMS + " FROM model_calls"
                + (query.since().isPresent() ? " WHERE started_at >= :since" : "")
                + " GROUP BY " + key;
        List<UsageRow> rows = new ArrayList<>(store.jdbi().withHandle(handle -> {
            var select = handle.createQuery(sql);
            query.since().ifPresent(since -> select.bind("since", UtcText.format(since)));
            return select.map((rs, ctx) -> usageRow(rs.getString("usage_key"), rs)).list();
        }));
        rows.sort(query.by() == UsageGrouping.DAY ? Comparator.comparing(UsageRow::key) : BY_COST);
        return rows;
    }

    /** Every row since the instant (or ever) summed. */
    public Totals totals(Optional<Instant> since) {
        flush();
        String sql = "SELECT " + SUMS + " FROM model_calls" + (since.isPresent() ? " WHERE started_at >= :since" : "");
        UsageRow sums = store.jdbi().withHandle(handle -> {
            var select = handle.createQuery(sql);
            since.ifPresent(at -> select.bind("since", UtcText.format(at)));
            return select.map((rs, ctx) -> usageRow("", rs)).one();
        });
        return new Totals(sums.calls(), sums.failures(), sums.inputTokens(), sums.outputTokens(),
                sums.cachedInputTokens(), sums.costUsd(), sums.meanLatencyMs(), sums.meanTimeToFirstTokenMs());
    }

    /** USD spent by every call since the instant: what the daily budget is checked against. */
    public double costSince(Instant since) {
        return cost("started_at >= :since", "since", UtcText.format(since));
    }

    /** USD spent by the calls of one run (empty id: 0). */
    public double costOfRun(String runId) {
        if (runId == null || runId.isEmpty()) return 0;
        return cost("run_id = :run", "run", runId);
    }

    /** USD spent by the calls of one task of a run (empty task id: 0). */
    public double costOfTask(String runId, String taskId) {
        flush();
        if (taskId == null || taskId.isEmpty()) return 0;
        return store.jdbi().withHandle(handle -> handle
                .createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE run_id = :run AND task_id = :task")
                .bind("run", runId == null ? "" : runId).bind("task", taskId)
                .mapTo(Double.class).one());
    }

    private double cost(String where, String name, String value) {
        flush();
        return store.jdbi().withHandle(handle -> handle
                .createQuery("SELECT COALESCE(SUM(cost_usd), 0) FROM model_calls WHERE " + where)
                .bind(name, value).mapTo(Double.class).one());
    }

    /** The calls of one run summed per model, most expensive first: what a run's report lists. */
    public List<UsageRow> runByModel(String runId) {
        return runByModel(runId, Optional.empty());
    }

    /** As {@link #runByModel(String)}, only the calls one command made (e.g. {@code plan}: the run's planning). */
    public List<UsageRow> runByModel(String runId, Optional<String> command) {
        flush();
        if (runId == null || runId.isEmpty()) return List.of();
        List<UsageRow> rows = new ArrayList<>(store.jdbi().withHandle(handle -> {
            var select = handle.createQuery("SELECT model AS usage_key, " + SUMS + " FROM model_calls WHERE run_id = :run"
                    + (command.isPresent() ? " AND command = :command" : "") + " GROUP BY model").bind("run", runId);
            command.ifPresent(c -> select.bind("command", c));
            return select.map((rs, ctx) -> usageRow(rs.getString("usage_key"), rs)).list();
        }));
        rows.sort(BY_COST);
        return rows;
    }

    /** The runs with the latest calls, newest first, each summed (key: the run id). */
    public List<UsageRow> recentRuns(int limit) {
        flush();
        if (limit <= 0) return List.of();
        return store.jdbi().withHandle(handle -> handle
                .createQuery("SELECT run_id AS usage_key, " + SUMS + " FROM model_calls WHERE run_id <> ''"
                        + " GROUP BY run_id ORDER BY MAX(started_at) DESC, run_id LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> usageRow(rs.getString("usage_key"), rs))
                .list());
    }

    /** The latest rows, newest first. */
    public List<LedgerEntry> recent(int limit) {
        flush();
        if (limit < 0) throw new IllegalArgumentException("limit cannot be negative");
        if (limit == 0) return List.of();
        return store.jdbi().withHandle(handle -> handle
                .createQuery("SELECT * FROM model_calls ORDER BY started_at DESC, id DESC LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> entry(rs))
                .list());
    }

    private String text(String value) {
        return value == null ? "" : redactor.redact(value);
    }

    // SUM of an empty set is NULL, read as 0; PostgreSQL sums bigint as numeric, which getLong reads.
    private static UsageRow usageRow(String key, ResultSet rs) throws SQLException {
        return new UsageRow(key == null ? "" : key, rs.getLong("calls"), rs.getLong("failures"),
                rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                rs.getDouble("cost_usd"), rs.getDouble("mean_latency_ms"), rs.getDouble("mean_ttft_ms"));
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
        long ttft = rs.getLong("ttft_ms");
        OptionalLong ttftMs = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(ttft);
        return new LedgerEntry(rs.getLong("id"), UtcText.parse(rs.getString("started_at")),
                rs.getString("command"), rs.getString("run_id"), rs.getString("task_id"), rs.getString("role"),
                rs.getString("provider"), rs.getString("model"), rs.getBoolean("streamed"),
                rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
                rs.getDouble("cost_usd"), rs.getLong("latency_ms"), ttftMs,
                "error".equals(rs.getString("outcome")) ? CallRecord.Outcome.ERROR : CallRecord.Outcome.OK,
                rs.getString("error_kind"), rs.getString("error"), rs.getInt("attempt"), rs.getInt("fallback_step"),
                rs.getString("key_id"), rs.getString("client_wire"));
    }
}
