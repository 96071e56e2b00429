package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Usage;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger with its rows written by a thread of their own (as the gateway runs it): every read
 * of the contract sees the rows recorded before it, budgets count rows still queued exactly once,
 * and closing writes everything queued.
 */
class WriteBehindLedgerTest extends SqliteLedgerTest {
    private static final Instant NOON = Instant.parse("2026-11-21T12:00:00Z");

    @Override
    protected Ledger configured(Ledger fresh) {
        return fresh.writeBehind();
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    @Test
    void closingRightAfterManyCallsFromManyThreadsLeavesEveryRowInTheStore() throws Exception {
        int threads = 8;
        int each = 250;
        CountDownLatch start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) ledger.onCall(call(NOON, CallContext.of("gateway"), 0.5));
                    return null;
                });
            }
            start.countDown();
        }
        ledger.close();
        // Read through a ledger of its own, which has no queue to wait for: only what is in the store.
        assertThat(new Ledger(store()).totals(Optional.empty()).calls()).isEqualTo((long) threads * each);
        // After the close a row is written at once.
        ledger.onCall(call(NOON, CallContext.of("gateway"), 0.5));
        assertThat(new Ledger(store()).totals(Optional.empty()).calls()).isEqualTo((long) threads * each + 1);
    }

    @Test
    void budgetsCountAQueuedRowOnceBeforeAndAfterItIsWritten() {
        Clock clock = Clock.fixed(NOON, ZoneOffset.UTC);
        LedgerSpend spend = new LedgerSpend(ledger, clock);
        CallContext task = new CallContext("run", "run-1", "task-1", "implementer", 1, 0);
        assertThat(spend.spent(task)).isEqualTo(new Spent(0, 0, 0));
        SpendTally tally = new SpendTally(store());
        // Queued and not yet written: counted from memory.
        SpendTally.Unwritten row = new SpendTally.Unwritten(NOON, "run-1", "task-1", 0.5);
        tally.queued(row);
        assertThat(tally.spent(LedgerSpend.startOfDay(clock), "run-1", "task-1")).containsExactly(0.5, 0.5, 0.5);
        assertThat(tally.spent(LedgerSpend.startOfDay(clock), "run-2", "")).containsExactly(0.5, 0, 0);
        // Committed: counted from the store, not from memory as well.
        tally.written(List.of(row), () -> new Ledger(store()).onCall(call(NOON, task, 0.5)));
        assertThat(tally.spent(LedgerSpend.startOfDay(clock), "run-1", "task-1")).containsExactly(0.5, 0.5, 0.5);
        // Through the write-behind ledger: counted at once and once.
        ledger.onCall(call(NOON, task, 1.0));
        assertThat(spend.spent(task)).isEqualTo(new Spent(1.5, 1.5, 1.5));
        ledger.flush();
        assertThat(spend.spent(task)).isEqualTo(new Spent(1.5, 1.5, 1.5));
    }

    private static CallRecord call(Instant at, CallContext context, double usd) {
        return new CallRecord(at, context, "openai", "gpt-a", false, new Usage(10, 5, 0), usd, Duration.ofMillis(100),
                Duration.ZERO, CallRecord.Outcome.OK, "", "");
    }
}
