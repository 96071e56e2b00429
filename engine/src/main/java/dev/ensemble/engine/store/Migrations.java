package dev.ensemble.engine.store;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a database already has exactly the migrations this build carries, so that opening it
 * can skip Flyway: loading Flyway and letting it scan, checksum and validate costs about a second
 * at a command's start (seconds on a loaded machine) for what is, on every open but the first
 * after an upgrade, nothing to do. Anything unclear (a migration not applied, one applied that this
 * build does not carry, a failed one, a location that cannot be listed) answers "no", and Flyway
 * runs as before.
 */
final class Migrations {
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");

    private Migrations() {}

    /** The versions in {@code db/migration/common} and {@code db/migration/<dialect>}, or empty when they cannot be listed. */
    static Optional<Set<String>> bundled(String dialect) {
        Set<String> versions = new HashSet<>();
        for (String location : List.of("db/migration/common", "db/migration/" + dialect)) {
            Optional<List<String>> names = list(location);
            if (names.isEmpty()) return Optional.empty();
            for (String name : names.get()) {
                Matcher m = VERSIONED.matcher(name);
                if (m.matches()) versions.add(m.group(1).replace('_', '.'));
            }
        }
        return versions.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(versions));
    }

    /** Whether the schema history holds exactly the bundled versions, all successful. */
    static boolean current(Connection connection, String dialect) {
        Optional<Set<String>> bundled = bundled(dialect);
        if (bundled.isEmpty()) return false;
        Set<String> applied = new HashSet<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            while (rs.next()) {
                if (!rs.getBoolean(2)) return false;
                applied.add(rs.getString(1));
            }
        } catch (SQLException e) {
            return false; // no history table yet: a new database
        }
        return applied.equals(bundled.get());
    }

    /** The file names in a classpath folder, from a directory (tests, the IDE) or a jar (the product). */
    private static Optional<List<String>> list(String folder) {
        URL url = Migrations.class.getClassLoader().getResource(folder);
        if (url == null) return Optional.of(List.of()); // a dialect with no migrations of its own
        try {
            return switch (url.getProtocol()) {
                case "file" -> {
                    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                        yield Optional.of(files.map(p -> p.getFileName().toString()).toList());
                    }
                }
                case "jar" -> {
                    JarURLConnection connection = (JarURLConnection) url.openConnection();
                    // The cached JarFile is shared with whoever else opened this jar: not closed here.
                    connection.setUseCaches(true);
                    JarFile jar = connection.getJarFile();
                    String prefix = connection.getEntryName().endsWith("/") ? connection.getEntryName() : connection.getEntryName() + "/";
                    yield Optional.of(jar.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0 && n.length() > prefix.length())
                            .map(n -> n.substring(prefix.length())).toList());
                }
                default -> Optional.empty();
            };
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
