package dev.ensemble.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a process behind: a live (non-zombie) descendant of the test JVM, or any
 * process carrying this JVM's launch marker ({@code ENSEMBLE_LAUNCH=<jvm pid>-...}, which ensemble's
 * launcher gives every child and which a double-forked, re-parented {@code setsid} child keeps).
 * Found by parentage and marker, never by name. Leftovers are killed so the next test starts clean.
 * Use with {@code @ExtendWith(NoProcessLeft.class)}; Linux reads /proc, elsewhere only descendants count.
 */
public final class NoProcessLeft implements AfterEachCallback {
    private static final long WAIT_MILLIS = 5_000;

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        List<Long> left = leftovers();
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            left = leftovers();
        }
        if (left.isEmpty()) return;
        List<String> described = new ArrayList<>();
        for (long pid : left) described.add(pid + " " + cmdline(pid));
        left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        throw new AssertionError("processes left after " + context.getDisplayName() + ": " + described);
    }

    /** This JVM's live descendants and marked processes. */
    public static List<Long> leftovers() {
        List<Long> out = new ArrayList<>();
        ProcessHandle.current().descendants().filter(h -> running(h.pid())).forEach(h -> out.add(h.pid()));
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) return out;
        byte[] needle = ("ENSEMBLE_LAUNCH=" + ProcessHandle.current().pid() + "-").getBytes(StandardCharsets.UTF_8);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (out.contains(pid) || pid == ProcessHandle.current().pid()) continue;
                try {
                    if (contains(Files.readAllBytes(dir.resolve("environ")), needle) && running(pid)) out.add(pid);
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            // /proc unreadable: descendants only
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return !Files.isDirectory(Path.of("/proc"));
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
        }
    }
}
