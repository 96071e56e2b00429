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
 * since 00:00 UTC, and the run's and task's spending by their ids. Every call this process (or
 * another one sharing the store) has recorded counts; the ledger keeps the sums and adds only the
 * rows written since the previous check, so a check costs the same late in a busy day as early.
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
        double[] spent = ledger.spentForBudgets(startOfDay(clock), context.runId(), context.taskId());
        // Rounding in sums can leave -0.0000…; Spent refuses negatives.
        return new Spent(Math.max(0, spent[0]), Math.max(0, spent[1]), Math.max(0, spent[2]));
    }
}
