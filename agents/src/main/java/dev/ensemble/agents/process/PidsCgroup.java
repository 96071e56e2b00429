package dev.ensemble.agents.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pids cgroup for one launch, where this user may make one: caps how many processes the launch
 * may have at once (a fork bomb stops at the cap) and lists every member, however it detached.
 * cgroup v1's pids hierarchy ({@code /sys/fs/cgroup/pids}) or a v2 folder that delegates the pids
 * controller to us. Where neither is writable there is no cap, and the PID namespace (sandbox) or
 * the session and marker (no sandbox) still find every process at the end.
 */
final class PidsCgroup implements AutoCloseable {
    private static final AtomicLong NEXT = new AtomicLong();
    private final Path dir;

    private PidsCgroup(Path dir) {
        this.dir = dir;
    }

    /** The parent folder new launch cgroups go in, if one is usable here. */
    static Optional<Path> parent() {
        Path v1 = Path.of("/sys/fs/cgroup/pids");
        if (Files.isWritable(v1) && Files.exists(v1.resolve("cgroup.procs"))) return Optional.of(v1);
        Path v2 = ownV2Folder();
        if (v2 != null && Files.isWritable(v2)) {
            try {
                if (Files.readString(v2.resolve("cgroup.subtree_control")).contains("pids")) return Optional.of(v2);
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Path ownV2Folder() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    Path root = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? Path.of("/sys/fs/cgroup")
                            : Path.of("/sys/fs/cgroup/unified");
                    return root.resolve(line.substring(3).replaceFirst("^/", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** A fresh cgroup with this cap, or empty when none can be made. */
    static Optional<PidsCgroup> create(int limit) {
        if (limit <= 0) return Optional.empty();
        Optional<Path> parent = parent();
        if (parent.isEmpty()) return Optional.empty();
        Path dir = parent.get().resolve("ensemble-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("pids.max"), Integer.toString(limit));
            return Optional.of(new PidsCgroup(dir));
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // nothing was made
            }
            return Optional.empty();
        }
    }

    /** The file a process writes its pid to, to join: the launch's wrapper does so before it execs. */
    Path procsFile() {
        return dir.resolve("cgroup.procs");
    }

    List<Long> members() {
        List<Long> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procsFile())) {
                if (!line.isBlank()) out.add(Long.parseLong(line.strip()));
            }
        } catch (IOException | RuntimeException e) {
            // gone already
        }
        return out;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // still has members (a zombie not yet reaped): the kernel keeps the empty folder, harmless
        }
    }
}
