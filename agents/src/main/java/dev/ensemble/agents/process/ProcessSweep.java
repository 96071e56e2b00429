package dev.ensemble.agents.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds every process that belongs to one launch, never by name: its session and process group
 * (the launch starts a new session), the launch's marker in the environment (inherited by every
 * descendant that did not wipe its environment), the members of its pids cgroup, and the
 * descendants seen while it ran. A double-forked {@code setsid} child leaves the session and
 * is re-parented away, but keeps the marker and the cgroup. Linux reads /proc; elsewhere only the
 * descendants are known.
 */
final class ProcessSweep {
    private static final Path PROC = Path.of("/proc");

    private ProcessSweep() {}

    /** Live (non-zombie) processes of the launch with this session id, marker and cgroup. */
    static Set<Long> members(long sessionId, String marker, Optional<PidsCgroup> cgroup, Set<Long> seen) {
        Set<Long> out = new LinkedHashSet<>();
        cgroup.ifPresent(c -> out.addAll(c.members()));
        for (long pid : seen) {
            if (running(pid)) out.add(pid);
        }
        if (!Files.isDirectory(PROC)) return out;
        byte[] needle = (marker + "\0").getBytes(StandardCharsets.UTF_8);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid == ProcessHandle.current().pid()) continue;
                Optional<long[]> stat = stat(pid);
                if (stat.isEmpty()) continue;
                long sid = stat.get()[1];
                long pgrp = stat.get()[0];
                if (sid == sessionId || pgrp == sessionId || hasMarker(dir, needle)) out.add(pid);
            }
        } catch (IOException | RuntimeException e) {
            // /proc changes while it is read; what was found is what there is
        }
        out.removeIf(pid -> !running(pid));
        return out;
    }

    /** Every live process whose environment holds {@code prefix} (a JVM's launches: the test check). */
    static List<Long> withMarkerPrefix(String prefix) {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(PROC)) return out;
        byte[] needle = prefix.getBytes(StandardCharsets.UTF_8);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid != ProcessHandle.current().pid() && hasMarker(dir, needle) && running(pid)) out.add(pid);
            }
        } catch (IOException | RuntimeException e) {
            // as above
        }
        return out;
    }

    private static boolean hasMarker(Path dir, byte[] needle) {
        try {
            byte[] env = Files.readAllBytes(dir.resolve("environ"));
            return indexOf(env, needle) >= 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** {pgrp, session} from /proc/<pid>/stat; empty for a zombie or a process that is gone. */
    private static Optional<long[]> stat(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            int end = stat.lastIndexOf(')');
            String[] fields = stat.substring(end + 2).split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) return Optional.empty();
            return Optional.of(new long[] {Long.parseLong(fields[2]), Long.parseLong(fields[3])});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Alive and not a zombie (a zombie runs nothing and holds nothing; init reaps it when it gets to it). */
    static boolean running(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) return false;
        if (!Files.isDirectory(PROC)) return true;
        return stat(pid).isPresent();
    }
}
