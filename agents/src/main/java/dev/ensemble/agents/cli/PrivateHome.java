package dev.ensemble.agents.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The HOME (and config folder) of one agent run: the CLI sees none of the user's own config, keys
 * or history. Made fresh under {@link CliSettings#homeRoot()} and deleted afterwards, except when
 * the run left a session that its CLI can resume: then the folder stays where it is (CLIs record
 * absolute paths of their session files, so it must not move) and the link
 * {@code <homeRoot>/sessions/<agent>/<session id>} points at it; a later run with that resume id
 * starts from it. Files marked secret (a config that holds a key) are deleted in every case.
 */
public final class PrivateHome implements AutoCloseable {
    private final Path dir;
    private final Path sessionsDir;
    private final List<Path> secretFiles = new ArrayList<>();
    private String keepAs;
    private boolean resumed;
    private boolean closed;

    private PrivateHome(Path dir, Path sessionsDir) {
        this.dir = dir;
        this.sessionsDir = sessionsDir;
    }

    /** A fresh home, or the kept home of {@code resumeSession} when there is one. */
    public static PrivateHome open(CliSettings settings, String agent, Optional<String> resumeSession) {
        Path sessions = settings.sessionsRoot().resolve(agent);
        try {
            if (resumeSession.isPresent()) {
                Path kept = sessions.resolve(safeName(resumeSession.get()));
                if (Files.isDirectory(kept)) {
                    // A failed resume must not lose the session: it stays kept unless a new id replaces it.
                    PrivateHome home = new PrivateHome(kept.toRealPath(), sessions);
                    home.keepAs = resumeSession.get();
                    home.resumed = true;
                    return home;
                }
            }
            Files.createDirectories(settings.homeRoot());
            Path dir = Files.createTempDirectory(settings.homeRoot(), agent + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return new PrivateHome(dir, sessions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a private home for " + agent + " under " + settings.homeRoot(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** Makes a folder inside the home and returns it. */
    public Path folder(String relative) throws IOException {
        return Files.createDirectories(dir.resolve(relative));
    }

    /** Writes a file readable by the owner only. */
    public Path write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** Like {@link #write}, and the file is deleted when the run ends even if the home is kept. */
    public Path writeSecret(String relative, String content) throws IOException {
        Path file = write(relative, content);
        secretFiles.add(file);
        return file;
    }

    /** Keep this home after close, for resuming {@code sessionId}. */
    public void keepFor(String sessionId) {
        this.keepAs = sessionId;
    }

    /**
     * Keep this home for {@code sessionId}, and link it now rather than at close: a process killed
     * mid-run never closes its home, and the resume after the crash must still find it.
     */
    public void keepNow(String sessionId) {
        keepFor(sessionId);
        try {
            link(sessionsDir.resolve(safeName(sessionId)));
        } catch (IOException e) {
            // Linked again at close; only a crash before then loses the session.
        }
    }

    /** Whether this home is a kept one, opened to resume its session. */
    public boolean resumes() {
        return resumed;
    }

    /** The link to this home after close when it is kept, else nowhere. */
    public Optional<Path> keptAt() {
        return keepAs == null ? Optional.empty() : Optional.of(sessionsDir.resolve(safeName(keepAs)));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Path secret : secretFiles) {
            try {
                Files.deleteIfExists(secret);
            } catch (IOException ignored) {
                // The folder is private to the owner; deleted below unless kept.
            }
        }
        Optional<Path> target = keptAt();
        if (target.isEmpty()) {
            deleteTree(dir);
            return;
        }
        try {
            link(target.get());
        } catch (IOException e) {
            deleteTree(dir);
        }
    }

    private void link(Path link) throws IOException {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(dir)) return;
        Files.createDirectories(sessionsDir);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, dir);
    }

    /** Deletes a kept session's home and its link; true when there was one. */
    public static boolean discard(CliSettings settings, String agent, String sessionId) {
        Path link = settings.sessionsRoot().resolve(agent).resolve(safeName(sessionId));
        try {
            if (!Files.isSymbolicLink(link)) return false;
            deleteTree(link.toRealPath());
            Files.deleteIfExists(link);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String safeName(String sessionId) {
        return sessionId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    d.toFile().setWritable(true);
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Best effort: a leftover folder in the temp dir is harmless; it holds no keys (deleted above).
        }
    }
}
