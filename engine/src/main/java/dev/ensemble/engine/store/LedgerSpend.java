package dev.ensemble.engine.store;

import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.SpendSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What the budgets are checked against, read from the ledger on every check: the day's spending
 * since 00:00 UTC, and the run's and task's spending by their ids. No cache, so every call this
 * process (or another one sharing the store) has recorded counts; the day's sum uses the
 * started_at index, and all three are small next to a model call.
 */
public final class LedgerSpend implements SpendSource {
    private final Ledger ledger;
    private final Clock clock;

    public LedgerSpend(Ledger ledger, Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The start of the current UTC day. */
    public static Instant startOfDay(Clock clock) {
        return clock.instant().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant();
    }

    @Override
    public Spent spent(CallContext context) {
        double today = ledger.costSince(startOfDay(clock));
        double run = ledger.costOfRun(context.runId());
        double task = ledger.costOfTask(context.runId(), context.taskId());
        // Rounding in SQL sums can leave -0.0000…; Spent refuses negatives.
        return new Spent(Math.max(0, today), Math.max(0, run), Math.max(0, task));
    }
}
