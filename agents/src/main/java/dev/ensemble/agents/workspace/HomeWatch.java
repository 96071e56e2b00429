package dev.ensemble.agents.workspace;

import dev.ensemble.agents.enforce.Glob;
import dev.ensemble.agents.workspace.AttemptGuard.Finding;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The places outside the repository where a write buys persistence or escalation, kept and
 * restored around each attempt like the repository itself ({@link AttemptGuard}): the user's
 * shell start-up files, {@code ~/.ssh}, git's and the package managers' config, cloud
 * credentials, and the config of the agent CLIs (a hook in {@code ~/.claude/settings.json} runs
 * commands). Without an OS sandbox this is the only thing between an agent and those files.
 *
 * <p>Bounded so that it never hashes a big tree: each glob is walked from its literal folder
 * ({@code .ssh} for {@code .ssh/**}) at most {@link #MAX_DEPTH} folders deep, at most
 * {@link #MAX_FILES} files are watched in all, and only files up to {@link #MAX_COPY} bytes
 * ({@link #COPY_BUDGET} in all) are copied; a change to a bigger one is reported, not restored.
 * Symbolic links are stamped as links and never followed. A crontab (kept by {@code crond}
 * outside the home) and anything outside these globs are out of its reach: the sandbox is what
 * keeps an agent from them.
 */
final class HomeWatch {
    /** As {@code Rules.HOME_FILE_MODIFIED}. */
    static final String RULE = "home-file-modified";
    static final int MAX_FILES = 2_000;
    static final int MAX_DEPTH = 6;
    static final long MAX_COPY = 1024L * 1024;
    static final long COPY_BUDGET = 16L * 1024 * 1024;

    /** What one file was: its stamp, mode and (when small enough) its bytes; a link keeps its target instead. */
    private record Kept(Snapshot.FileStamp stamp, Set<PosixFilePermission> mode, byte[] bytes, String link) {}

    private final Path home;
    private final List<Glob> globs;
    private final Path quarantine;
    private Map<String, Kept> kept = Map.of();
    private Set<String> folders = Set.of();
    private boolean truncated;

    /**
     * @param home       the user's home ({@code user.home}), not an agent's private one
     * @param globs      paths relative to {@code home} ({@code policy.watch_home})
     * @param quarantine where files that appeared are moved to, as evidence
     */
    HomeWatch(Path home, List<String> globs, Path quarantine) {
        this.home = home.toAbsolutePath().normalize();
        this.globs = Glob.all(globs);
        this.quarantine = quarantine;
    }

    /** The files there are now, with their copies; call before the attempt starts. */
    void baseline() {
        Map<String, Kept> files = new TreeMap<>();
        Set<String> dirs = new TreeSet<>();
        truncated = list(files, dirs, true);
        kept = files;
        folders = dirs;
    }

    /** Compares with the baseline, restores what differs (content and mode; removes what appeared) and says what it did. */
    List<Finding> checkAndUndo() {
        if (globs.isEmpty()) return List.of();
        Map<String, Kept> now = new TreeMap<>();
        list(now, new TreeSet<>(), false);
        List<Finding> findings = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(kept.keySet());
        all.addAll(now.keySet());
        for (String path : all) {
            Kept was = kept.get(path);
            Kept is = now.get(path);
            if (same(was, is, path)) continue;
            findings.add(restore(path, was, is));
        }
        removeNewFolders();
        return List.copyOf(findings);
    }

    /** Whether nothing that matters changed: equal stamps, or (a touch, another guard's restore) equal bytes, mode and link. */
    private boolean same(Kept was, Kept is, String path) {
        if (was == null || is == null) return was == is;
        if (was.stamp().equals(is.stamp()) && Objects.equals(was.mode(), is.mode())) return true;
        if (was.link() != null || is.link() != null) return Objects.equals(was.link(), is.link());
        if (was.bytes() == null || !Objects.equals(was.mode(), is.mode())) return false;
        try {
            return Arrays.equals(was.bytes(), Files.readAllBytes(home.resolve(path)));
        } catch (IOException e) {
            return false;
        }
    }

    private Finding restore(String path, Kept was, Kept is) {
        String shown = "~/" + path;
        Path file = home.resolve(path);
        String detail = (was == null ? "created" : is == null ? "deleted" : "modified") + " outside the repository while the task ran";
        try {
            if (was == null) {
                Path target = quarantine.resolve("home").resolve(path.replace('/', '_'));
                Files.createDirectories(target.getParent());
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                return new Finding(shown, RULE, detail, true, "removed (kept as " + target + ")");
            }
            if (was.link() != null) {
                Files.deleteIfExists(file);
                Files.createDirectories(file.getParent());
                Files.createSymbolicLink(file, Path.of(was.link()));
                return new Finding(shown, RULE, detail, true, "");
            }
            if (was.bytes() == null) {
                return new Finding(shown, RULE, detail, false, "no copy was kept (over " + MAX_COPY
                        + " bytes, past the copy budget, or unreadable)");
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".ensemble-restore");
            Files.deleteIfExists(tmp);
            Files.write(tmp, was.bytes());
            if (was.mode() != null) Files.setPosixFilePermissions(tmp, was.mode());
            if (is != null && is.link() != null) Files.delete(file);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Finding(shown, RULE, detail, true, "content and mode");
        } catch (IOException | UnsupportedOperationException e) {
            return new Finding(shown, RULE, detail, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Folders the attempt made to hold what it planted ({@code ~/.ssh} where there was none), once empty again. */
    private void removeNewFolders() {
        Set<String> dirs = new TreeSet<>(java.util.Comparator.reverseOrder());
        list(new TreeMap<>(), dirs, false);
        for (String dir : dirs) {
            if (folders.contains(dir) || dir.isEmpty()) continue;
            try (var entries = Files.list(home.resolve(dir))) {
                if (entries.findAny().isEmpty()) Files.delete(home.resolve(dir));
            } catch (IOException e) {
                // Not empty, or gone: left as it is.
            }
        }
    }

    /** Lists the watched files (and the folders on the way) into {@code files}; true when a cap cut the listing short. */
    private boolean list(Map<String, Kept> files, Set<String> dirs, boolean copy) {
        long[] copied = {0};
        boolean[] cut = {false};
        for (Path start : starts()) {
            if (files.size() >= MAX_FILES) {
                cut[0] = true;
                break;
            }
            Path from = home.resolve(start);
            if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                // Not there (yet): looked for again at the next look, so a new ~/.ssh is seen.
                continue;
            }
            try {
                Files.walkFileTree(from, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        dirs.add(home.relativize(dir).toString());
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String rel = home.relativize(file).toString();
                        if (attrs.isDirectory() || !Glob.anyMatches(globs, rel)) return FileVisitResult.CONTINUE;
                        if (files.size() >= MAX_FILES) {
                            cut[0] = true;
                            return FileVisitResult.TERMINATE;
                        }
                        files.put(rel, keep(file, attrs, copy, copied));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                // Partly listed: what was seen is compared.
            }
        }
        return cut[0];
    }

    private static Kept keep(Path file, BasicFileAttributes attrs, boolean copy, long[] copied) {
        Set<PosixFilePermission> mode = null;
        try {
            mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            // No POSIX modes here: content only.
        }
        if (attrs.isSymbolicLink()) {
            try {
                return new Kept(Snapshot.stamp(file), null, null, Files.readSymbolicLink(file).toString());
            } catch (IOException e) {
                return new Kept(Snapshot.stamp(file), null, null, "?");
            }
        }
        byte[] bytes = null;
        if (copy && attrs.isRegularFile() && attrs.size() <= MAX_COPY && copied[0] + attrs.size() <= COPY_BUDGET) {
            try {
                bytes = Files.readAllBytes(file);
                copied[0] += bytes.length;
            } catch (IOException e) {
                // Unreadable: a change is reported, not restored.
            }
        }
        return new Kept(Snapshot.stamp(file), mode == null ? null : Set.copyOf(mode), bytes, null);
    }

    /**
     * Where to walk from: each glob's folders before its first wildcard ({@code .ssh} for
     * {@code .ssh/**}, the file itself for {@code .bashrc}). Worked out again at each look, so a
     * {@code ~/.ssh} that did not exist before the attempt is walked after it.
     */
    private List<Path> starts() {
        TreeSet<String> starts = new TreeSet<>();
        for (Glob glob : globs) {
            StringBuilder literal = new StringBuilder();
            for (String part : glob.pattern().split("/")) {
                if (part.contains("*") || part.contains("?") || part.contains("[")) break;
                if (!literal.isEmpty()) literal.append('/');
                literal.append(part);
            }
            if (literal.isEmpty()) continue;  // never walk the whole home
            starts.add(literal.toString());
        }
        // A start inside another start is walked with it.
        List<Path> out = new ArrayList<>();
        for (String s : starts) {
            if (out.stream().noneMatch(o -> Path.of(s).startsWith(o))) out.add(Path.of(s));
        }
        return out;
    }

    /** Whether the baseline hit {@link #MAX_FILES} (the rest is not watched). */
    boolean truncated() {
        return truncated;
    }
}
