package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parallel model calls on virtual threads all land in the ledger; none fails with SQLITE_BUSY. */
class ConcurrentLedgerTest {
    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 50;
    private static final Instant AT = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir Path repo;

    @Test
    void sixteenVirtualThreadsWritingAtOnceLoseNoRow() throws Exception {
        var errors = new ByteArrayOutputStream();
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            var ledger = new Ledger(store, Redactor.global(), new PrintStream(errors, true, StandardCharsets.UTF_8));
            writeAtOnce(List.of(ledger), THREADS);
            assertAllRowsPresent(ledger, THREADS);
        }
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /**
     * Two stores on one file stand in for two ensemble processes in one repository: their writes
     * are not serialized by a shared lock, so this exercises WAL and the busy timeout.
     */
    @Test
    void twoStoresOnOneFileWaitForEachOtherInsteadOfFailing() throws Exception {
        var errors = new ByteArrayOutputStream();
        var stderr = new PrintStream(errors, true, StandardCharsets.UTF_8);
        try (Store first = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
             Store second = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            var ledgers = List.of(new Ledger(first, Redactor.global(), stderr), new Ledger(second, Redactor.global(), stderr));
            writeAtOnce(ledgers, THREADS);
            assertAllRowsPresent(ledgers.getFirst(), THREADS);
        }
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** Thread t writes calls whose input tokens are t * 1000 + i, so every row is accounted for. */
    private static void writeAtOnce(List<Ledger> ledgers, int threads) throws Exception {
        var start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Ledger ledger = ledgers.get(t % ledgers.size());
                done.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        ledger.onCall(Calls.ok(AT.plusMillis(i), "run", "implementer", "openai", "model-" + thread,
                                new Usage(thread * 1000L + i, 1, 0), 0.5, 10, false, 10));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) future.get();
        }
    }

    private static void assertAllRowsPresent(Ledger ledger, int threads) {
        long expectedInput = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < CALLS_PER_THREAD; i++) expectedInput += t * 1000L + i;
        }
        Totals totals = ledger.totals(Optional.empty());
        assertThat(totals.calls()).isEqualTo((long) threads * CALLS_PER_THREAD);
        assertThat(totals.inputTokens()).isEqualTo(expectedInput);
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.MODEL)))
                .hasSize(threads)
                .allSatisfy(row -> assertThat(row.calls()).isEqualTo(CALLS_PER_THREAD));
    }
}
