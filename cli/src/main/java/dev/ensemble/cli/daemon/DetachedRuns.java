package dev.ensemble.cli.daemon;

import dev.ensemble.cli.AppContext;
import dev.ensemble.cli.Main;
import dev.ensemble.cli.Terminal;
import dev.ensemble.engine.event.RunEvent;
import dev.ensemble.engine.event.RunEvents;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runs this daemon carries out. Each is the very command a terminal would run ({@code go} or
 * {@code resume}, through {@link Main#run}), on a thread of its own, with a context in its
 * repository whose terminal is the run's log ({@code .ensemble/sessions/<run>/daemon.log}): no
 * second copy of the go flow. Cancel interrupts that thread (the scheduler stops its tasks and the
 * launcher kills each agent's process tree; worktrees stay) and marks the run cancelled. A shutdown
 * interrupts every run the same way but leaves it in flight, so the next start resumes it.
 */
final class DetachedRuns {
    /** One run in flight. */
    record Running(Path repo, String runId, Thread thread, AtomicBoolean cancelled) {}

    private final Repositories repositories;
    private final Runnable changed;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    DetachedRuns(Repositories repositories, Runnable changed) {
        this.repositories = repositories;
        this.changed = changed;
    }

    List<DaemonState.Active> active() {
        List<DaemonState.Active> list = new ArrayList<>();
        running.values().forEach(r -> list.add(new DaemonState.Active(r.repo(), r.runId())));
        return list;
    }

    Optional<Running> find(String runId) {
        return Optional.ofNullable(running.get(runId));
    }

    /**
     * Starts {@code args} (a command line of {@code ensemble}) for the run; the {@code run.accepted}
     * event is stored before this returns, so a client that follows the run from the start sees it.
     */
    void start(Path repo, String runId, String what, List<String> args) {
        if (stopping.get()) throw new ApiError(503, "the daemon is stopping");
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread thread = Thread.ofVirtual().name("run-" + runId).unstarted(() -> execute(repo, runId, args, cancelled));
        Running r = new Running(repo, runId, thread, cancelled);
        if (running.putIfAbsent(runId, r) != null) throw ApiError.conflict("run " + runId + " is already running in this daemon");
        events(repo).record(runId, "", "run.accepted", RunEvents.data().put("command", what).put("repo", repo.toString()));
        changed.run();
        thread.start();
    }

    private void execute(Path repo, String runId, List<String> args, AtomicBoolean cancelled) {
        int code;
        try (PrintStream log = log(repo, runId)) {
            Terminal terminal = new Terminal(log, log, false);
            try (AppContext app = repositories.open(terminal, repo)) {
                code = Main.run(app, args.toArray(String[]::new));
            } catch (RuntimeException e) {
                log.println("ensemble daemon: " + e);
                code = 1;
            }
        }
        if (stopping.get() && !cancelled.get()) {
            // Shut down: the run stays in flight (and in the state file) for the next start to resume.
            running.remove(runId);
            return;
        }
        RunStore runs = new RunStore(repositories.reader(repo).store());
        String status = runs.find(runId).map(s -> s.status().key()).orElse("unknown");
        if (cancelled.get()) {
            if (runs.exists(runId)) runs.markStatus(runId, RunStatus.CANCELLED);
            status = RunStatus.CANCELLED.key();
            code = 130;
        }
        running.remove(runId);
        events(repo).record(runId, "", RunEvent.RUN_ENDED, RunEvents.data().put("exit", code).put("status", status));
        changed.run();
    }

    /** Cancels a run of this daemon and waits (up to a minute) for it to stop; false when it was not running here. */
    boolean cancel(String runId) throws InterruptedException {
        Running r = running.get(runId);
        if (r == null) return false;
        r.cancelled().set(true);
        r.thread().interrupt();
        r.thread().join(TimeUnit.MINUTES.toMillis(1));
        return true;
    }

    /** SIGTERM: every run is interrupted (its state stays in the store as a checkpoint) and awaited. */
    void stopAll() {
        stopping.set(true);
        List<Running> all = new ArrayList<>(running.values());
        all.forEach(r -> r.thread().interrupt());
        for (Running r : all) {
            try {
                r.thread().join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    boolean stopping() {
        return stopping.get();
    }

    private RunEvents events(Path repo) {
        return repositories.reader(repo).runEvents();
    }

    private static PrintStream log(Path repo, String runId) {
        try {
            Path dir = Files.createDirectories(repo.resolve(".ensemble").resolve("sessions").resolve(runId));
            OutputStream out = Files.newOutputStream(dir.resolve("daemon.log"), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new PrintStream(out, true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new PrintStream(OutputStream.nullOutputStream());
        }
    }
}
