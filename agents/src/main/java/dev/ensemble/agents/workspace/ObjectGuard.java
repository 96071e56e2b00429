package dev.ensemble.agents.workspace;

import dev.ensemble.agents.workspace.AttemptGuard.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.InflaterInputStream;

/**
 * The object database an attempt could rewrite: a loose object is named by the hash of its
 * content, so one overwritten in place ({@code git show HEAD:README.md} printing forged text) no
 * longer hashes to its name. Loose objects are stamped before the attempt (no hashing); one whose
 * stamp changed is inflated and hashed, and a forged or deleted one is restored from ensemble's own
 * copy under {@code .ensemble/guard/objects/} (made once per object, reused by every later attempt)
 * or, when a pack holds the object, by removing the forgery. A changed pack is reported, not restored.
 */
final class ObjectGuard {
    private static final Pattern FAN = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern REST = Pattern.compile("[0-9a-f]{38}([0-9a-f]{24})?");
    /** Copies are made up to this many objects per repository; beyond it a forgery is restored from packs only. */
    private static final int COPY_LIMIT = 50_000;

    private final Path objects;
    private final Path copies;
    private Map<String, Snapshot.FileStamp> loose = Map.of();
    private Map<String, Snapshot.FileStamp> packs = Map.of();

    ObjectGuard(Path objects, Path copies) {
        this.objects = objects;
        this.copies = copies;
    }

    void baseline() {
        loose = looseStamps();
        packs = FileKeeper.stampTree(objects.resolve("pack"));
        if (loose.size() > COPY_LIMIT) return;
        for (String name : loose.keySet()) {
            Path copy = copies.resolve(name);
            if (Files.exists(copy)) continue;
            try {
                Files.createDirectories(copy.getParent());
                Files.copy(objects.resolve(name), copy, StandardCopyOption.COPY_ATTRIBUTES);
            } catch (IOException e) {
                // Not copied: a forgery of it can only be undone from a pack.
            }
        }
    }

    List<Finding> checkAndUndo(Git git) {
        List<Finding> findings = new ArrayList<>();
        Map<String, Snapshot.FileStamp> now = looseStamps();
        for (var entry : loose.entrySet()) {
            String name = entry.getKey();
            if (Objects.equals(entry.getValue(), now.get(name))) continue;
            Path file = objects.resolve(name);
            String id = name.replace("/", "");
            boolean present = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
            if (present && verifies(file, id)) continue;  // touched, not changed
            if (!present && git.exec("cat-file", "-e", id).ok()) continue;  // packed by a gc
            String what = present ? "loose object " + id + " no longer hashes to its name (rewritten)" : "loose object " + id + " deleted";
            findings.add(restore(git, name, id, file, what));
        }
        Map<String, Snapshot.FileStamp> packsNow = FileKeeper.stampTree(objects.resolve("pack"));
        for (var entry : packs.entrySet()) {
            if (Objects.equals(entry.getValue(), packsNow.get(entry.getKey()))) continue;
            findings.add(new Finding(".git/objects/pack/" + entry.getKey(), "git-internals", packsNow.containsKey(entry.getKey())
                    ? "pack file rewritten" : "pack file deleted", false, "packs are not copied; `git fsck` shows what is lost"));
        }
        return findings;
    }

    private Finding restore(Git git, String name, String id, Path file, String what) {
        String path = ".git/objects/" + name;
        Path copy = copies.resolve(name);
        try {
            if (Files.isRegularFile(copy) && verifies(copy, id)) {
                Path tmp = file.resolveSibling(file.getFileName() + ".ensemble-restore");
                Files.createDirectories(file.getParent());
                Files.copy(copy, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Finding(path, "object-rewritten", what, true, "");
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Path aside = file.resolveSibling(file.getFileName() + ".forged");
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                if (git.exec("cat-file", "-e", id).ok()) {
                    Files.delete(aside);
                    return new Finding(path, "object-rewritten", what, true, "the forgery removed; a pack holds the object");
                }
                Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Finding(path, "object-rewritten", what, false, "no copy and no pack holds it");
        } catch (IOException e) {
            return new Finding(path, "object-rewritten", what, false, e.getMessage());
        }
    }

    /** Whether the zlib content of a loose object hashes to {@code id} (SHA-1, or SHA-256 for 64-digit names). */
    static boolean verifies(Path file, String id) {
        try (InputStream in = new InflaterInputStream(Files.newInputStream(file))) {
            MessageDigest digest = MessageDigest.getInstance(id.length() == 64 ? "SHA-256" : "SHA-1");
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest()).equals(id);
        } catch (IOException e) {
            return false;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Snapshot.FileStamp> looseStamps() {
        Map<String, Snapshot.FileStamp> stamps = new TreeMap<>();
        try (var fans = Files.list(objects)) {
            for (Path fan : fans.toList()) {
                if (!FAN.matcher(fan.getFileName().toString()).matches()) continue;
                try (var files = Files.list(fan)) {
                    for (Path f : files.toList()) {
                        String rest = f.getFileName().toString();
                        if (REST.matcher(rest).matches()) stamps.put(fan.getFileName() + "/" + rest, Snapshot.stamp(f));
                    }
                }
            }
        } catch (IOException e) {
            // No objects folder: nothing to guard.
        }
        return stamps;
    }
}
