package dev.ensemble.cli;

import dev.ensemble.engine.approval.Answerer;
import dev.ensemble.engine.approval.Approvals;
import dev.ensemble.engine.approval.Decided;
import dev.ensemble.engine.approval.Decision;
import java.io.Console;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The console as one answerer of a pending approval, beside {@code ensemble approve} and the API:
 * "y" approves, any other line (or end of input) rejects, and whoever answers first decides.
 *
 * <p>{@link Console#readLine} cannot be interrupted, so a prompt answered elsewhere would leave its
 * read blocked, and that stale read would then swallow the answer to the next prompt. One reader
 * thread per process therefore owns the console and queues its lines; each prompt drops lines typed
 * before it was shown and takes the lines typed while it is open.
 */
final class TerminalAnswer implements AutoCloseable {
    private static final TerminalAnswer NONE = new TerminalAnswer(null, null);
    /** Lines read from the console; an empty Optional marks the end of input. */
    private static final LinkedBlockingQueue<Optional<String>> LINES = new LinkedBlockingQueue<>();
    private static Thread reader;

    private final Console console;
    private final Thread answering;
    private volatile boolean open = true;
    private volatile boolean answeredHere;

    private TerminalAnswer(Console console, Thread answering) {
        this.console = console;
        this.answering = answering;
    }

    /** Shows the prompt on {@code console} (nothing without one) and answers {@code id} with what is typed, until closed. */
    static TerminalAnswer start(Optional<Console> console, Approvals approvals, String id, Terminal term) {
        if (console.isEmpty()) return NONE;
        Console c = console.get();
        startReading(c);
        LINES.clear();
        TerminalAnswer[] self = new TerminalAnswer[1];
        Thread thread = Thread.ofVirtual().unstarted(() -> self[0].answer(approvals, id, term));
        self[0] = new TerminalAnswer(c, thread);
        c.printf("Go ahead? [y/N] ");
        c.flush();
        thread.start();
        return self[0];
    }

    private static synchronized void startReading(Console console) {
        if (reader != null) return;
        reader = Thread.ofPlatform().daemon().name("ensemble-console").start(() -> {
            while (true) {
                String line = console.readLine();
                LINES.add(Optional.ofNullable(line));
                if (line == null) return;
            }
        });
    }

    private void answer(Approvals approvals, String id, Terminal term) {
        try {
            while (open) {
                Optional<String> line = LINES.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) continue;
                boolean yes = line.isPresent() && line.get().strip().toLowerCase(Locale.ROOT).startsWith("y");
                answeredHere = true;
                if (approvals.decide(id, yes ? Decision.APPROVE : Decision.REJECT, Answerer.TERMINAL, "") instanceof Decided.Refused r) {
                    term.err().println(term.yellow("your answer came too late: ") + r.reason());
                }
                return;
            }
        } catch (InterruptedException e) {
            // closed: the approval was decided elsewhere
        }
    }

    @Override
    public void close() {
        if (console == null) return;
        open = false;
        answering.interrupt();
        try {
            answering.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The prompt is still on its line when someone else answered: end it before the outcome is printed.
        if (!answeredHere) {
            console.printf("%n");
            console.flush();
        }
    }
}
