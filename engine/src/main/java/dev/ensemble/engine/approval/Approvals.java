package dev.ensemble.engine.approval;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.store.Store;
import dev.ensemble.engine.store.UtcText;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The approvals of one repository's store. Any number of processes may share it: the command that
 * asked and waits, {@code ensemble approve} in a second terminal, the daemon answering for its API
 * and dashboard. The store is what they share, so it is where a decision is made: one conditional
 * {@code UPDATE ... WHERE state = 'pending'} per answer, which exactly one answerer wins on SQLite
 * and PostgreSQL alike; every later answer is refused and changes nothing.
 *
 * <p><b>Seeing another process's answer.</b> {@link #await} polls the approval's row (one read by
 * primary key on a kept connection, every {@code pollEvery}; 250 ms by default) and is woken at once
 * by answers given in this process. Polling rather than the event log: the waiting command is often a
 * plain terminal process with no daemon, and so no event bus, to subscribe to, while the store is
 * open in every process that can answer; one indexed read four times a second is noise next to what
 * an approval holds up, and an answer is seen within a quarter of a second.
 */
public final class Approvals {
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    private static final SecureRandom IDS = new SecureRandom();
    private static final String COLUMNS = "approval_id, run_id, repo, kind, question, created_at, timeout_ms, expires_at,"
            + " default_decision, state, decision, decided_by, decided_at, reason";

    private final Store store;
    private final Clock clock;
    private final ApprovalListener listener;
    private final Duration pollEvery;
    /**
     * Waiters in this process wait on it; a decision made here wakes them without waiting for the
     * next poll. A lock rather than a monitor: a virtual thread waiting on a monitor pins its carrier on JDK 21.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition answered = lock.newCondition();

    public Approvals(Store store) {
        this(store, Clock.systemUTC(), ApprovalListener.NONE, DEFAULT_POLL);
    }

    public Approvals(Store store, Clock clock, ApprovalListener listener, Duration pollEvery) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.pollEvery = Objects.requireNonNull(pollEvery, "pollEvery");
        if (pollEvery.isNegative() || pollEvery.isZero()) throw new IllegalArgumentException("pollEvery must be positive");
    }

    /** The same store and clock, telling {@code next} of every change this process makes. */
    public Approvals withListener(ApprovalListener next) {
        return new Approvals(store, clock, next, pollEvery);
    }

    /** Records a pending approval and tells the listener. Text is redacted: a question may quote a request. */
    public Approval request(ApprovalRequest request) {
        Instant created = truncated(clock.instant());
        Instant expires = created.plus(request.timeout());
        String question = Redactor.global().redact(request.question());
        String id = newId();
        store.write(handle -> handle.createUpdate("INSERT INTO approvals (approval_id, run_id, repo, kind, question, created_at,"
                        + " timeout_ms, expires_at, default_decision, state) VALUES (:id, :runId, :repo, :kind, :question, :created,"
                        + " :timeoutMs, :expires, :default, 'pending')")
                .bind("id", id).bind("runId", request.runId()).bind("repo", request.repo()).bind("kind", request.kind().key())
                .bind("question", question).bind("created", UtcText.format(created))
                .bind("timeoutMs", request.timeout().toMillis()).bind("expires", UtcText.format(expires))
                .bind("default", request.defaultDecision().key()).execute());
        Approval approval = find(id).orElseThrow();
        listener.requested(approval);
        return approval;
    }

    /**
     * Records an approval already answered: {@code --yes} on the command line decides before
     * anything is asked, and the record still says what was approved, when and by whom.
     */
    public Approval decided(ApprovalRequest request, Decision decision, Answerer by, String reason) {
        Approval pending = request(request.timeout().isZero() ? new ApprovalRequest(request.runId(), request.repo(), request.kind(),
                request.question(), Duration.ofMinutes(1), request.defaultDecision()) : request);
        return switch (decide(pending.id(), decision, by, reason)) {
            case Decided.Taken t -> t.approval();
            case Decided.Refused r -> r.approval();
            case Decided.NotFound n -> throw new IllegalStateException(n.reason());
        };
    }

    public Optional<Approval> find(String id) {
        return store.read(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM approvals WHERE approval_id = :id")
                .bind("id", id).map((rs, ctx) -> row(rs)).findOne());
    }

    /**
     * Decides a pending approval, if nobody did first. An approval past its timeout is expired
     * (its default applied, by {@link Answerer#TIMEOUT}) rather than decided late.
     */
    public Decided decide(String id, Decision decision, Answerer by, String reason) {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(by, "by");
        String why = Redactor.global().redact(reason == null ? "" : reason.strip());
        Instant now = truncated(clock.instant());
        int rows = store.write(handle -> handle.createUpdate("UPDATE approvals SET state = :state, decision = :decision,"
                        + " decided_by = :by, decided_at = :at, reason = :reason"
                        + " WHERE approval_id = :id AND state = 'pending' AND expires_at > :at")
                .bind("state", decision.state().key()).bind("decision", decision.key()).bind("by", by.key())
                .bind("at", UtcText.format(now)).bind("reason", why).bind("id", id).execute());
        if (rows == 1) return taken(id);
        Optional<Approval> current = find(id);
        if (current.isEmpty()) return new Decided.NotFound(id);
        if (current.get().pending()) current = Optional.of(expire(current.get()));
        Approval a = current.get();
        return new Decided.Refused(a, "approval " + id + " was already decided: " + a.outcome()
                + a.decidedAt().map(at -> " at " + at).orElse("") + "; nothing changed");
    }

    /**
     * Blocks until the approval is decided, by anyone, or until its timeout; then the default is
     * applied (unless an answer won the race) and the approval as it ends is returned.
     *
     * @throws java.util.NoSuchElementException when there is no such approval
     * @throws InterruptedException             when the waiting thread is interrupted (nothing is decided)
     */
    public Approval await(String id) throws InterruptedException {
        Approval a = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no approval " + id));
        return await(id, Duration.between(clock.instant(), a.expiresAt()));
    }

    /**
     * As {@link #await(String)}, waiting at most {@code timeout} (or less when the approval's own
     * timeout comes first); when it runs out the default decision is applied by {@link Answerer#TIMEOUT}.
     */
    public Approval await(String id, Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout.isNegative() ? Duration.ZERO : timeout);
        while (true) {
            Approval a = find(id).orElseThrow(() -> new java.util.NoSuchElementException("no approval " + id));
            if (!a.pending()) return a;
            Instant now = clock.instant();
            if (!now.isBefore(deadline) || !now.isBefore(a.expiresAt())) return expire(a);
            long waitMs = Math.max(1, Math.min(pollEvery.toMillis(),
                    Math.min(Duration.between(now, deadline).toMillis(), Duration.between(now, a.expiresAt()).toMillis())));
            lock.lock();
            try {
                answered.await(waitMs, TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Approvals newest first. Pending ones past their timeout (their waiting command was killed)
     * are expired first, so nobody is shown a question that no longer holds anything up.
     */
    public List<Approval> list(ApprovalFilter filter) {
        expireOverdue();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM approvals WHERE 1 = 1");
        filter.state().ifPresent(s -> sql.append(" AND state = :state"));
        filter.runId().ifPresent(r -> sql.append(" AND run_id = :runId"));
        sql.append(" ORDER BY created_at DESC, approval_id DESC LIMIT :limit");
        return store.read(handle -> {
            var query = handle.createQuery(sql.toString()).bind("limit", filter.limit());
            filter.state().ifPresent(s -> query.bind("state", s.key()));
            filter.runId().ifPresent(r -> query.bind("runId", r));
            return query.map((rs, ctx) -> row(rs)).list();
        });
    }

    /** Applies the default to every pending approval past its timeout; returns those this call expired. */
    public List<Approval> expireOverdue() {
        String now = UtcText.format(truncated(clock.instant()));
        List<String> overdue = store.read(handle -> handle.createQuery(
                        "SELECT approval_id FROM approvals WHERE state = 'pending' AND expires_at <= :now")
                .bind("now", now).mapTo(String.class).list());
        List<Approval> expired = new ArrayList<>();
        for (String id : overdue) {
            find(id).filter(Approval::pending).ifPresent(a -> {
                Approval after = expire(a);
                if (after.state() == ApprovalState.EXPIRED && after.decidedBy().orElse(null) == Answerer.TIMEOUT) expired.add(after);
            });
        }
        return expired;
    }

    /** Applies the default by the timeout, unless someone decided first; returns the approval as it ends. */
    private Approval expire(Approval a) {
        int rows = store.write(handle -> handle.createUpdate("UPDATE approvals SET state = 'expired', decision = default_decision,"
                        + " decided_by = 'timeout', decided_at = :at WHERE approval_id = :id AND state = 'pending'")
                .bind("at", UtcText.format(truncated(clock.instant()))).bind("id", a.id()).execute());
        if (rows == 1) return ((Decided.Taken) taken(a.id())).approval();
        return find(a.id()).orElseThrow();
    }

    private Decided taken(String id) {
        Approval decided = find(id).orElseThrow();
        lock.lock();
        try {
            answered.signalAll();
        } finally {
            lock.unlock();
        }
        listener.decided(decided);
        return new Decided.Taken(decided);
    }

    private static String newId() {
        byte[] bytes = new byte[4];
        IDS.nextBytes(bytes);
        return "apr-" + HexFormat.of().formatHex(bytes);
    }

    /** The store keeps milliseconds; an Approval returned at once must equal the one read back later. */
    private static Instant truncated(Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static Approval row(ResultSet rs) throws SQLException {
        String decision = rs.getString("decision");
        String by = rs.getString("decided_by");
        String at = rs.getString("decided_at");
        return new Approval(rs.getString("approval_id"), rs.getString("run_id"), rs.getString("repo"),
                ApprovalKind.fromKey(rs.getString("kind")), rs.getString("question"), UtcText.parse(rs.getString("created_at")),
                Duration.ofMillis(rs.getLong("timeout_ms")), UtcText.parse(rs.getString("expires_at")),
                Decision.fromKey(rs.getString("default_decision")), ApprovalState.fromKey(rs.getString("state")),
                decision.isEmpty() ? Optional.empty() : Optional.of(Decision.fromKey(decision)),
                by.isEmpty() ? Optional.empty() : Optional.of(Answerer.fromKey(by)),
                at.isEmpty() ? Optional.empty() : Optional.of(UtcText.parse(at)), rs.getString("reason"));
    }
}
