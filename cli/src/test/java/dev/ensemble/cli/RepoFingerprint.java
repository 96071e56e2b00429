package dev.ensemble.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything a command could have written in a folder, to compare before and after it ran: for a
 * command that fails its preconditions the two must be equal. The parts, each as text:
 *
 * <ul>
 *   <li>{@code HEAD} (the branch it names, or detached, and the commit), {@code index} (staged
 *       entries), {@code status}, {@code refs} (every ref and where it points), {@code worktrees};</li>
 *   <li>{@code .git/info}, {@code .git/hooks} (each file with its mode and a hash), {@code .git/config};</li>
 *   <li>{@code .ensemble} (absent, or its files with a hash; the SQLite files by name only) and
 *       {@code store rows} (every table of {@code .ensemble/ensemble.db}, read without writing);</li>
 *   <li>{@code files}: the working tree outside {@code .git/} and {@code .ensemble/}, for folders
 *       that are not repositories at all.</li>
 * </ul>
 *
 * Use: {@code var before = RepoFingerprint.of(dir); …; assertThat(RepoFingerprint.of(dir).changesSince(before)).isEmpty();}
 */
record RepoFingerprint(Map<String, String> parts) {
    static final String NOT_A_REPOSITORY = "(not a git repository)";

    static RepoFingerprint of(Path dir) {
        Map<String, String> parts = new LinkedHashMap<>();
        boolean repo = Files.isDirectory(dir.resolve(".git"));
        if (repo) {
            parts.put("HEAD", git(dir, "symbolic-ref", "--quiet", "HEAD") + " @ " + git(dir, "rev-parse", "--verify", "--quiet", "HEAD"));
            parts.put("index", git(dir, "ls-files", "--stage"));
            parts.put("status", git(dir, "status", "--porcelain=v1", "--untracked-files=all"));
            parts.put("refs", git(dir, "for-each-ref", "--format=%(refname) %(objectname)"));
            parts.put("worktrees", git(dir, "worktree", "list", "--porcelain"));
            parts.put(".git/info", files(dir.resolve(".git/info"), true));
            parts.put(".git/hooks", files(dir.resolve(".git/hooks"), true));
            parts.put(".git/config", read(dir.resolve(".git/config")));
        } else {
            for (String part : List.of("HEAD", "index", "status", "refs", "worktrees", ".git/info", ".git/hooks", ".git/config")) {
                parts.put(part, NOT_A_REPOSITORY);
            }
        }
        Path ensemble = dir.resolve(".ensemble");
        parts.put(".ensemble", Files.exists(ensemble) ? files(ensemble, false) : "(absent)");
        parts.put("store rows", storeRows(ensemble.resolve("ensemble.db")));
        parts.put("files", workingTree(dir));
        return new RepoFingerprint(Map.copyOf(parts));
    }

    /** Each part that differs, as "part: before → after" with both sides shortened; empty when nothing changed. */
    List<String> changesSince(RepoFingerprint before) {
        List<String> changes = new ArrayList<>();
        for (String part : new java.util.TreeSet<>(parts.keySet())) {
            String was = before.parts().get(part);
            String now = parts.get(part);
            if (!now.equals(was)) changes.add(part + ": " + shorten(was) + " → " + shorten(now));
        }
        return changes;
    }

    private static String shorten(String text) {
        if (text == null) return "(missing)";
        String flat = text.replace("\n", " ⏎ ");
        return flat.length() > 400 ? flat.substring(0, 400) + "…" : flat;
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("GIT_"));
        // Looking must not write: no index refresh, no lock files.
        builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
        try {
            Process git = builder.start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 ? out : "(exit " + git.exitValue() + ")";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Files under {@code root}: path, (mode,) size and hash; the SQLite database and its journals by name only. */
    private static String files(Path root, boolean withMode) {
        if (!Files.isDirectory(root)) return "(absent)";
        StringBuilder out = new StringBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = root.relativize(p).toString();
                // The database's rows are compared instead: its file and journals change when a connection merely opens it.
                if (name.startsWith("ensemble.db-")) continue;
                out.append(name);
                if (name.equals("ensemble.db")) {
                    out.append(" (rows compared)\n");
                    continue;
                }
                if (withMode) out.append(Files.isExecutable(p) ? " x" : " -");
                out.append(' ').append(Files.size(p)).append(' ').append(hash(Files.readAllBytes(p))).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String workingTree(Path dir) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                Path rel = dir.relativize(p);
                String first = rel.getName(0).toString();
                if (first.equals(".git") || first.equals(".ensemble")) continue;
                out.append(rel).append(' ').append(hash(Files.readAllBytes(p))).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(absent)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every row of every table, sorted, opened read-only so that looking changes nothing. */
    private static String storeRows(Path db) {
        if (!Files.isRegularFile(db)) return "(no store)";
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String table : tables) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= columns; i++) row.append(i > 1 ? " | " : "").append(rs.getString(i));
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                out.append(table).append(": ").append(rows.size()).append(" rows\n");
                rows.forEach(r -> out.append("  ").append(r).append('\n'));
            }
        } catch (SQLException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
        return out.toString();
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
