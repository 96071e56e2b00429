package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets' sums, kept and topped up with newer rows, against the same store written by two
 * stores at once (two processes), across a UTC day boundary. Costs are exact in binary, so sums
 * compare with equality, and each is checked against the ledger's full SQL sum.
 */
class LedgerSpendTest {
    private static final Instant EVENING = Instant.parse("2026-11-20T23:50:00Z");
    private static final Instant MIDNIGHT = Instant.parse("2026-11-21T00:00:00Z");

    @TempDir Path repo;
    private Store ours;
    private Store theirs;

    @AfterEach
    void close() {
        if (ours != null) ours.close();
        if (theirs != null) theirs.close();
    }

    @Test
    void rowsFromAnotherWriterAndAcrossMidnightAreCountedOnce() {
        ours = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        theirs = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Ledger mine = new Ledger(ours);
        Ledger other = new Ledger(theirs);
        MovableClock clock = new MovableClock(EVENING);
        LedgerSpend spend = new LedgerSpend(mine, clock);
        CallContext task1 = new CallContext("run", "run-1", "task-1", "implementer", 1, 0);
        CallContext task2 = new CallContext("run", "run-1", "task-2", "implementer", 1, 0);

        mine.onCall(call(EVENING, task1, 0.5));
        other.onCall(call(EVENING.plusSeconds(1), task2, 0.25));
        assertThat(spend.spent(task1)).isEqualTo(new Spent(0.75, 0.75, 0.5));

        // More rows from both writers, some for a task not asked about yet.
        other.onCall(call(EVENING.plusSeconds(2), task1, 1.0));
        mine.onCall(call(EVENING.plusSeconds(3), task2, 2.0));
        mine.onCall(call(EVENING.plusSeconds(4), CallContext.of("ask"), 4.0));
        assertThat(spend.spent(task1)).isEqualTo(new Spent(7.75, 3.75, 1.5));
        assertThat(spend.spent(task2)).isEqualTo(new Spent(7.75, 3.75, 2.25));
        assertThat(spend.spent(task1)).as("asking again adds nothing").isEqualTo(new Spent(7.75, 3.75, 1.5));

        // Past midnight the day starts from nothing; a call that started before midnight and is
        // written after it stays in yesterday, but still counts for its run and task.
        clock.set(MIDNIGHT.plusSeconds(5));
        assertThat(spend.spent(task1)).isEqualTo(new Spent(0, 3.75, 1.5));
        other.onCall(call(MIDNIGHT.minusSeconds(1), task1, 8.0));
        other.onCall(call(MIDNIGHT.plusSeconds(6), task1, 16.0));
        mine.onCall(call(MIDNIGHT.plusSeconds(7), task2, 32.0));
        Spent after = spend.spent(task1);
        assertThat(after).isEqualTo(new Spent(48.0, 59.75, 25.5));
        assertThat(after.todayUsd()).isEqualTo(mine.costSince(MIDNIGHT));
        assertThat(after.runUsd()).isEqualTo(other.costOfRun("run-1"));
        assertThat(after.taskUsd()).isEqualTo(other.costOfTask("run-1", "task-1"));

        // A fresh tally over the same rows (a new process) agrees.
        assertThat(new LedgerSpend(new Ledger(theirs), clock).spent(task1)).isEqualTo(after);
    }

    @Test
    void anEmptyLedgerAndEmptyIdsSpendNothing() {
        ours = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        LedgerSpend spend = new LedgerSpend(new Ledger(ours), new MovableClock(EVENING));
        assertThat(spend.spent(CallContext.NONE)).isEqualTo(new Spent(0, 0, 0));
        new Ledger(ours).onCall(call(EVENING, CallContext.of("ask"), 0.5));
        assertThat(spend.spent(CallContext.NONE)).isEqualTo(new Spent(0.5, 0, 0));
    }

    private static CallRecord call(Instant at, CallContext context, double usd) {
        return new CallRecord(at, context, "openai", "gpt-a", false, new Usage(10, 5, 0), usd, Duration.ofMillis(100),
                Duration.ZERO, CallRecord.Outcome.OK, "", "");
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override public Instant instant() {
            return now;
        }

        @Override public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
