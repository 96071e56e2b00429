package dev.ensemble.agents.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The versions of CLI binaries already asked, kept in a small JSON file between processes, so that
 * {@code --version} (a Node program's start: up to seconds on a loaded machine) runs once per
 * installed binary instead of once per {@code agents}, {@code doctor}, {@code exec} or task attempt.
 *
 * <p>An entry holds for one agent's binary path while the file it resolves to keeps its
 * {@link Fingerprint}: the real path (a re-pointed symlink), size, modification time and, where the
 * platform has it, the inode change time (npm extracts every file with the same fixed modification
 * time, so an upgrade that keeps a wrapper script's size shows only in ctime).
 *
 * <p>Answers are kept, and so is a version check that did not answer in time ({@link Remembered#slow}),
 * so that on a machine too loaded for a CLI to answer, every command does not wait for it again
 * ({@link VersionCheck} decides when to ask again); a CLI that failed is asked again next time. The
 * file is written whole to a temporary sibling and moved into place, so a reader never sees half of it;
 * an unreadable or corrupt file counts as empty and is replaced at the next write. Two processes
 * writing at once can lose each other's new entries, which costs a re-check, never a wrong answer.
 */
final class DetectionCache {
    private static final int FORMAT = 1;
    /** More entries than this means stale paths (temporary folders of tests); the oldest go. */
    private static final int MAX_ENTRIES = 64;
    /** One writer per file within this process: agents are detected in parallel. */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    /** What identifies one build of a binary without running it. */
    record Fingerprint(String realPath, long size, long modifiedMillis, long changedMillis) {
        /** The fingerprint of what {@code binary} resolves to, or empty when it cannot be read. */
        static Optional<Fingerprint> of(Path binary) {
            try {
                Path real = binary.toRealPath();
                BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
                return Optional.of(new Fingerprint(real.toString(), attributes.size(), attributes.lastModifiedTime().toMillis(),
                        changed(real)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        private static long changed(Path real) {
            try {
                return ((FileTime) Files.getAttribute(real, "unix:ctime", LinkOption.NOFOLLOW_LINKS)).toMillis();
            } catch (IOException | RuntimeException e) {
                return -1; // not a Unix file system: size and mtime are all there is
            }
        }
    }

    /**
     * What a version check found: the version it printed or, when it was {@code slow} (did not
     * answer within {@code limit}), the one its package declares ("" when unknown); and when.
     */
    record Remembered(String version, boolean slow, Duration limit, Instant checked) {
        Remembered {
            version = version == null ? "" : version;
        }

        static Remembered ready(String version) {
            return new Remembered(version, false, Duration.ZERO, Instant.now());
        }

        static Remembered slow(String version, Duration limit) {
            return new Remembered(version, true, limit, Instant.now());
        }
    }

    private record Entry(String agent, String binary, Fingerprint fingerprint, Remembered what) {
        String key() {
            return key(agent, binary);
        }

        static String key(String agent, String binary) {
            return agent + "\u0000" + binary;
        }
    }

    private final Optional<Path> file;

    /** A cache kept in {@code file}; null keeps nothing (every lookup misses). */
    DetectionCache(Path file) {
        this.file = Optional.ofNullable(file).map(f -> f.toAbsolutePath().normalize());
    }

    /** What was found for this agent's binary, if it was asked while the binary had this fingerprint. */
    Optional<Remembered> lookup(String agent, Path binary, Fingerprint fingerprint) {
        if (file.isEmpty()) return Optional.empty();
        Entry entry = read(file.get()).get(Entry.key(agent, binary.toString()));
        return entry != null && entry.fingerprint().equals(fingerprint) ? Optional.of(entry.what()) : Optional.empty();
    }

    /** Remembers what a check found; a failure to write is ignored (the next detection asks again). */
    void remember(String agent, Path binary, Fingerprint fingerprint, Remembered what) {
        if (file.isEmpty()) return;
        Path target = file.get();
        synchronized (LOCKS.computeIfAbsent(target, p -> new Object())) {
            Map<String, Entry> entries = read(target);
            Entry entry = new Entry(agent, binary.toString(), fingerprint, what);
            entries.remove(entry.key());
            entries.put(entry.key(), entry);
            entries.values().removeIf(e -> !Files.exists(Path.of(e.binary())));
            while (entries.size() > MAX_ENTRIES) entries.remove(entries.keySet().iterator().next());
            write(target, entries);
        }
    }

    /** The entries of the file in the order written (oldest first); empty when it is missing or unreadable. */
    private static Map<String, Entry> read(Path file) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        JsonNode root;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > 1_000_000) return entries;
            root = JsonLineParser.JSON.readTree(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return entries; // corrupt or unreadable: as if empty, and rewritten at the next answer
        }
        if (root == null || root.path("format").asInt(0) != FORMAT || !root.path("entries").isArray()) return entries;
        for (JsonNode n : root.path("entries")) {
            try {
                Fingerprint fingerprint = new Fingerprint(text(n, "real_path"), n.path("size").asLong(-1),
                        n.path("modified_ms").asLong(-1), n.path("changed_ms").asLong(-1));
                boolean slow = n.path("slow").asBoolean(false);
                Remembered what = new Remembered(text(n, "version"), slow, Duration.ofMillis(n.path("limit_ms").asLong(0)),
                        Instant.parse(text(n, "checked")));
                Entry entry = new Entry(text(n, "agent"), text(n, "binary"), fingerprint, what);
                if (!entry.agent().isEmpty() && !entry.binary().isEmpty() && (slow || !what.version().isEmpty())) {
                    entries.put(entry.key(), entry);
                }
            } catch (RuntimeException e) {
                // One bad entry costs that entry only.
            }
        }
        return entries;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.asString() : "";
    }

    private static void write(Path file, Map<String, Entry> entries) {
        ObjectNode root = JsonLineParser.JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("about", "versions of the coding-agent CLIs ensemble has asked; safe to delete");
        ArrayNode array = root.putArray("entries");
        for (Entry e : entries.values()) {
            array.addObject().put("agent", e.agent()).put("binary", e.binary()).put("real_path", e.fingerprint().realPath())
                    .put("size", e.fingerprint().size()).put("modified_ms", e.fingerprint().modifiedMillis())
                    .put("changed_ms", e.fingerprint().changedMillis()).put("version", e.what().version())
                    .put("slow", e.what().slow()).put("limit_ms", e.what().limit().toMillis())
                    .put("checked", e.what().checked().toString());
        }
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(temp, JsonLineParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            // A read-only or full disk: detection still worked, it just is not remembered.
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Nothing more to do about a temporary file we cannot delete.
                }
            }
        }
    }

    @Override
    public String toString() {
        return file.map(Path::toString).orElse("(no detection cache)");
    }
}
