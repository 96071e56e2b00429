package dev.ensemble.engine.store;

import dev.ensemble.llm.CallRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Writes ledger rows on one thread of its own, in batches, so that a model call's latency does not
 * include a database commit (a server answering many calls at once would otherwise serialize them
 * all on the store's one write connection). The queue is bounded: when the writer falls that far
 * behind, a caller waits for room rather than a row being dropped.
 *
 * <p>{@link #flush()} returns once every row handed over before it was called is written; the
 * ledger calls it before each read that must see them. {@link #close()} writes what is queued and
 * stops; a row handed over after it is written at once, on the caller's thread.
 */
final class LedgerWriter implements AutoCloseable {
    static final int CAPACITY = 8192;
    private static final int BATCH = 512;
    private static final CallRecord STOP = new CallRecord(null, null, "", "", false, null, 0, null, null,
            CallRecord.Outcome.OK, "", "");

    private final BlockingQueue<CallRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<List<CallRecord>> write;
    private final Thread thread;
    private long submitted;  // guarded by this
    private long written;    // guarded by this
    private volatile boolean closed;

    /** {@code write} writes one batch and must not throw (the ledger reports a row it cannot write). */
    LedgerWriter(Consumer<List<CallRecord>> write) {
        this.write = write;
        // A daemon, so a process that forgets to close its ledger still exits; every path that ends a
        // process normally closes it (AppContext, the gateway's shutdown hook).
        this.thread = Thread.ofPlatform().name("ledger-writer").daemon().start(this::run);
    }

    /** Queues one row; writes it at once when this writer is closed or the caller is interrupted while waiting for room. */
    void submit(CallRecord record) {
        if (closed) {
            write.accept(List.of(record));
            return;
        }
        synchronized (this) {
            submitted++;
        }
        try {
            queue.put(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            write.accept(List.of(record));
            done(1);
        }
    }

    /** Waits until every row submitted before this call is in the store. */
    void flush() {
        if (Thread.currentThread() == thread) return;
        synchronized (this) {
            long target = submitted;
            boolean interrupted = false;
            while (written < target && thread.isAlive()) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Writes every queued row, then stops the thread. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(STOP);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run() {
        List<CallRecord> batch = new ArrayList<>(BATCH);
        while (true) {
            CallRecord first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                continue;  // only close() stops this thread, after the queue is drained
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            boolean stop = batch.removeIf(r -> r == STOP);
            if (!batch.isEmpty()) write.accept(batch);
            done(batch.size());
            batch.clear();
            if (stop) {
                // Rows queued after the stop (a submit racing close) are written too.
                queue.drainTo(batch);
                batch.removeIf(r -> r == STOP);
                if (!batch.isEmpty()) write.accept(batch);
                done(batch.size());
                return;
            }
        }
    }

    private synchronized void done(int rows) {
        written += rows;
        notifyAll();
    }
}
