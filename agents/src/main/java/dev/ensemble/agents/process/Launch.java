package dev.ensemble.agents.process;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One started child and everything it brought with it (forwarders, scratch folders, a cgroup).
 * {@link #close()} ends every process of the launch — the child, whatever it started, whatever
 * detached — and removes the rest; it is called on every path, so nothing outlives an attempt.
 */
public final class Launch implements AutoCloseable {
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(100);

    private final Process process;
    private final String marker;
    private final Optional<PidsCgroup> cgroup;
    private final List<AutoCloseable> resources;
    private final Duration killGrace;
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    private List<Long> killed;

    Launch(Process process, String marker, Optional<PidsCgroup> cgroup, List<AutoCloseable> resources, Duration killGrace) {
        this.process = process;
        this.marker = marker;
        this.cgroup = cgroup;
        this.resources = List.copyOf(resources);
        this.killGrace = killGrace;
        // Descendants are noted while the child runs: once a parent dies its children are re-parented.
        this.watcher = Thread.ofVirtual().name("launch-watch-" + process.pid()).start(() -> {
            while (process.isAlive()) {
                process.descendants().forEach(h -> seen.add(h.pid()));
                try {
                    Thread.sleep(WATCH_INTERVAL);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    public long pid() {
        return process.pid();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    /** Empty when stderr was merged into stdout. */
    public InputStream stderr() {
        return process.getErrorStream();
    }

    /** Waits for the child (not its descendants) to exit; false when {@code timeout} passed first. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    public boolean exited() {
        return !process.isAlive();
    }

    /** The child's exit code; -1 while it runs or when it was killed by ensemble. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The processes of the launch alive now. */
    public Set<Long> members() {
        Set<Long> out = ProcessSweep.members(process.pid(), marker, cgroup, seen);
        if (process.isAlive()) out.add(process.pid());
        return out;
    }

    /**
     * Ends the launch: SIGTERM to every member, then after the grace period SIGKILL to whatever is
     * left, again until none is left (a fork bomb forks between sweeps; its cgroup caps it). Then
     * the forwarders stop and the scratch folders go. Returns the pids that had to be killed.
     */
    @Override
    public synchronized void close() {
        if (killed != null) return;
        watcher.interrupt();
        process.descendants().forEach(h -> seen.add(h.pid()));
        Set<Long> alive = members();
        List<Long> all = new ArrayList<>(alive);
        if (!alive.isEmpty()) {
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
            long deadline = System.nanoTime() + killGrace.toNanos();
            while (System.nanoTime() < deadline && !(alive = members()).isEmpty()) {
                alive.forEach(pid -> {
                    if (!all.contains(pid)) all.add(pid);
                });
                sleep(Duration.ofMillis(20));
            }
            long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!(alive = members()).isEmpty() && System.nanoTime() < killDeadline) {
                alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                sleep(Duration.ofMillis(10));
            }
        }
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // best effort: a scratch folder left in the temp dir is all that remains
            }
        }
        cgroup.ifPresent(PidsCgroup::close);
        killed = List.copyOf(all);
    }

    /** The pids {@link #close()} had to end (empty before it ran or when nothing was left). */
    public List<Long> killed() {
        return killed == null ? List.of() : killed;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
