package dev.ensemble.engine.event;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code events} table (migration V10): every event of every run of this store, appended
 * before it is published ({@code published} hears it after the row is committed, so a reader that
 * resumes from the log and then follows the publisher misses nothing). Text is redacted on the way in.
 */
public final class EventLog {
    private final Store store;
    private final Clock clock;
    private final Consumer<RunEvent> published;

    public EventLog(Store store) {
        this(store, Clock.systemUTC(), e -> {});
    }

    public EventLog(Store store, Clock clock, Consumer<RunEvent> published) {
        this.store = store;
        this.clock = clock;
        this.published = published;
    }

    /** Stores the event, then publishes it; returns it with its id. */
    public RunEvent append(String runId, String taskId, String kind, String dataJson) {
        Instant at = clock.instant();
        String data = Redactor.global().redact(dataJson == null || dataJson.isBlank() ? "{}" : dataJson);
        String task = taskId == null ? "" : taskId;
        long id = store.write(handle -> handle.createUpdate(
                        "INSERT INTO events (at, run_id, task_id, kind, data) VALUES (:at, :runId, :taskId, :kind, :data)")
                .bind("at", at.toString()).bind("runId", runId).bind("taskId", task).bind("kind", kind).bind("data", data)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        RunEvent event = new RunEvent(id, at, runId, task, kind, data);
        published.accept(event);
        return event;
    }

    /** Events with an id above {@code afterId}, oldest first, at most {@code limit}; of one run when given. */
    public List<RunEvent> after(long afterId, Optional<String> runId, int limit) {
        return store.read(handle -> handle.createQuery("SELECT id, at, run_id, task_id, kind, data FROM events WHERE id > :after"
                        + (runId.isPresent() ? " AND run_id = :runId" : "") + " ORDER BY id LIMIT :limit")
                .bind("after", afterId).bind("runId", runId.orElse("")).bind("limit", limit)
                .map((rs, ctx) -> new RunEvent(rs.getLong("id"), Instant.parse(rs.getString("at")), rs.getString("run_id"),
                        rs.getString("task_id"), rs.getString("kind"), rs.getString("data")))
                .list());
    }

    /** The id of the newest event of this kind of the run, if any (a resumed run's latest {@code run.accepted}). */
    public Optional<Long> latest(String runId, String kind) {
        return store.read(handle -> handle.createQuery("SELECT MAX(id) FROM events WHERE run_id = :runId AND kind = :kind")
                .bind("runId", runId).bind("kind", kind).mapTo(Long.class).findOne());
    }

    /** The newest id of this store's log, 0 when it is empty. */
    public long lastId() {
        return store.read(handle -> handle.createQuery("SELECT COALESCE(MAX(id), 0) FROM events").mapTo(Long.class).one());
    }
}
