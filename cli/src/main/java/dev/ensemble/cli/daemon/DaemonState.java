package dev.ensemble.cli.daemon;

import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The daemon's file in the user's state folder ({@code $XDG_STATE_HOME/ensemble/daemon.json}, mode
 * 0600 in a 0700 folder): where it listens, its pid, its token (so the same user's commands can
 * call it; nobody else can read the file), the repositories that used it, and the runs it had in
 * flight (what the next start resumes). One daemon per user: {@code daemon.lock} is held for the
 * daemon's life, and the OS lets go of it when the process dies, even by {@code kill -9}.
 */
public final class DaemonState {
    public static final String FILE = "daemon.json";

    /** A run the daemon carries out, by repository. */
    public record Active(Path repo, String runId) {}

    /** What the file says. */
    public record Snapshot(long pid, String url, String token, List<Path> repositories, List<Active> active) {}

    private final Path dir;

    public DaemonState(Path stateDir) {
        this.dir = stateDir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** The repository's id in URLs and event ids: the first 12 hex digits of its path's SHA-256. */
    public static String repoId(Path repo) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(repo.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the per-user lock, or empty when another daemon holds it. The lock lives as long as the returned channel. */
    public Optional<FileChannel> lock() throws IOException {
        ensureDir();
        FileChannel channel = FileChannel.open(dir.resolve("daemon.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(channel);
        } catch (OverlappingFileLockException e) {
            channel.close();
            return Optional.empty();
        }
    }

    /** Whether a daemon holds the lock now (a file left by a killed daemon does not count). */
    public boolean held() {
        if (!Files.exists(dir.resolve("daemon.lock"))) return false;
        try (FileChannel channel = FileChannel.open(dir.resolve("daemon.lock"), StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;  // this process is the daemon
        } catch (IOException e) {
            return false;
        }
    }

    public Optional<Snapshot> read() {
        try {
            if (!Files.isRegularFile(file())) return Optional.empty();
            JsonNode root = HttpTransport.JSON.readTree(Files.readString(file()));
            List<Path> repos = new ArrayList<>();
            root.path("repositories").forEach(r -> repos.add(Path.of(r.asString())));
            List<Active> active = new ArrayList<>();
            root.path("active").forEach(a -> active.add(new Active(Path.of(a.path("repo").asString()), a.path("run").asString())));
            return Optional.of(new Snapshot(root.path("pid").asLong(), root.path("url").asString(), root.path("token").asString(),
                    repos, active));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Writes the whole file atomically (a temporary file of mode 0600, then a move). */
    public synchronized void write(Snapshot s) throws IOException {
        ensureDir();
        ObjectNode root = HttpTransport.JSON.createObjectNode().put("pid", s.pid()).put("url", s.url()).put("token", s.token());
        Set<String> repos = new LinkedHashSet<>();
        s.repositories().forEach(r -> repos.add(r.toString()));
        repos.forEach(root.putArray("repositories")::add);
        var active = root.putArray("active");
        s.active().forEach(a -> active.addObject().put("repo", a.repo().toString()).put("run", a.runId()));
        Path tmp = Files.createTempFile(dir, "daemon", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, HttpTransport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void ensureDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }
}
