package dev.ensemble.agents.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The tests' check that a process is gone: alive and not a zombie (an orphan waits for init to reap it). */
final class Running {
    private Running() {}

    static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return handle.isAlive();
        }
    }
}
