package dev.ensemble.gateway.keys;

import dev.ensemble.core.UserDirs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The virtual keys and what each has spent, in a small SQLite file of their own in the user's data
 * folder ({@code ~/.local/share/ensemble/keys.db}, mode 0600): keys belong to the user and to every
 * gateway they start, not to one repository's store. The schema is migrated by
 * {@code PRAGMA user_version} and the numbered scripts next to this class; a file from a newer
 * ensemble is refused rather than guessed at.
 *
 * <p>One connection, held for the store's life and used one call at a time: the gateway asks once
 * per request (an indexed lookup), and other processes ({@code ensemble keys revoke} while a
 * gateway runs) are seen at once because nothing is cached here.
 */
public final class KeyStore implements AutoCloseable {
    public static final String FILE_NAME = "keys.db";
    static final int BUSY_TIMEOUT_MS = 5_000;
    /** The schema scripts, in order; the file's user_version is how many have run. */
    private static final List<String> MIGRATIONS = List.of("V1__keys.sql");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ISO_INSTANT;

    private final Path file;
    private final Clock clock;
    private final Handle handle;

    private KeyStore(Path file, Clock clock, Handle handle) {
        this.file = file;
        this.clock = clock;
        this.handle = handle;
    }

    /** Where the keys live for this user: {@code dataDir()/keys.db}. */
    public static Path defaultFile(UserDirs dirs) {
        return dirs.dataDir().resolve(FILE_NAME);
    }

    /**
     * Opens the key file, creating it (mode 0600, its folder 0700) and its schema when missing.
     *
     * @throws KeyStoreException when it cannot be created, opened or migrated
     */
    public static KeyStore open(Path file, Clock clock) {
        Path absolute = file.toAbsolutePath();
        Handle handle = null;
        try {
            createPrivately(absolute);
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(BUSY_TIMEOUT_MS);
            config.enforceForeignKeys(true);
            SQLiteDataSource source = new SQLiteDataSource(config);
            source.setUrl("jdbc:sqlite:" + absolute);
            handle = Jdbi.create(source).open();
            migrate(handle, absolute);
            // SQLite makes the -wal and -shm files with the database's mode; said again for a file
            // whose mode someone loosened.
            for (String suffix : List.of("", "-wal", "-shm")) restrict(Path.of(absolute + suffix));
            return new KeyStore(absolute, clock, handle);
        } catch (KeyStoreException e) {
            if (handle != null) handle.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            if (handle != null) handle.close();
            throw new KeyStoreException("cannot open the key file " + absolute + ": " + reason(e), e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Makes a key and returns it with its secret, which is not kept.
     *
     * @throws IllegalArgumentException for a name that is not one, or one a live key already has
     */
    public synchronized NewKey create(String name, Optional<KeyBudget> budget, List<String> models, int rpm,
                                      Optional<Instant> expiresAt) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a key name: 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        if (rpm < 0) throw new IllegalArgumentException("--rpm must be a positive number of requests per minute");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<VirtualKey> taken = live(name);
        if (taken.isPresent()) {
            String state = taken.get().status(now) == VirtualKey.Status.EXPIRED ? " (expired)" : "";
            throw new IllegalArgumentException("a key named " + name + " exists already" + state + " as " + taken.get().id()
                    + "; revoke it first (`ensemble keys revoke " + name + "`) or choose another name");
        }
        List<String> allowed = List.copyOf(new LinkedHashSet<>(models));
        String secret = KeySecrets.newSecret();
        VirtualKey key = new VirtualKey(KeySecrets.newId(), name, budget, allowed, rpm, now,
                expiresAt.map(at -> at.truncatedTo(ChronoUnit.MILLIS)), Optional.empty());
        try {
            handle.createUpdate("""
                    INSERT INTO keys (id, name, secret_sha256, budget_usd, budget_per, models, rpm, created_at, expires_at)
                    VALUES (:id, :name, :hash, :usd, :per, :models, :rpm, :created, :expires)""")
                    .bind("id", key.id()).bind("name", name).bind("hash", KeySecrets.hash(secret))
                    .bind("usd", budget.map(KeyBudget::usd).orElse(null))
                    .bind("per", budget.map(b -> b.period().word()).orElse(null))
                    .bind("models", String.join(",", allowed)).bind("rpm", rpm)
                    .bind("created", UTC.format(now)).bind("expires", key.expiresAt().map(UTC::format).orElse(null))
                    .execute();
        } catch (UnableToExecuteStatementException e) {
            throw new KeyStoreException("cannot write the key file " + file + ": " + reason(e), e);
        }
        return new NewKey(key, secret);
    }

    /** Every key, revoked and expired ones too, oldest first. */
    public synchronized List<VirtualKey> list() {
        return handle.createQuery("SELECT * FROM keys ORDER BY created_at, id").map((rs, ctx) -> key(rs)).list();
    }

    /** The key whose secret this is, in any state; empty for an unknown secret. */
    public synchronized Optional<VirtualKey> bySecret(String secret) {
        if (secret == null || secret.isEmpty()) return Optional.empty();
        return handle.createQuery("SELECT * FROM keys WHERE secret_sha256 = :hash")
                .bind("hash", KeySecrets.hash(secret)).map((rs, ctx) -> key(rs)).findOne();
    }

    public synchronized Optional<VirtualKey> byId(String id) {
        return handle.createQuery("SELECT * FROM keys WHERE id = :id").bind("id", id).map((rs, ctx) -> key(rs)).findOne();
    }

    /** The key a person means: its id, else the live (not revoked) key with that name. */
    public synchronized Optional<VirtualKey> find(String nameOrId) {
        Optional<VirtualKey> byId = byId(nameOrId);
        return byId.isPresent() ? byId : live(nameOrId);
    }

    /**
     * Revokes the key at once: the next request that presents it is refused.
     *
     * @throws IllegalArgumentException when no key has that name or id, or it is revoked already
     */
    public synchronized VirtualKey revoke(String nameOrId) {
        VirtualKey key = find(nameOrId).orElseThrow(() -> new IllegalArgumentException(
                "no key named " + nameOrId + " (nor with that id); `ensemble keys list` shows them"));
        if (key.revokedAt().isPresent()) {
            throw new IllegalArgumentException("key " + key.label() + " was revoked already, at " + UTC.format(key.revokedAt().get()));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        handle.createUpdate("UPDATE keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("now", UTC.format(now)).bind("id", key.id()).execute();
        return byId(key.id()).orElseThrow();
    }

    /** USD the key has spent in one bucket ({@link BudgetPeriod#bucket}); 0 when nothing was. */
    public synchronized double spent(String keyId, String bucket) {
        return handle.createQuery("SELECT usd FROM key_spend WHERE key_id = :key AND bucket = :bucket")
                .bind("key", keyId).bind("bucket", bucket).mapTo(Double.class).findOne().orElse(0.0);
    }

    /** Adds one call and its cost to each bucket (the key's period and {@code total}), in one transaction. */
    public synchronized void addSpend(String keyId, List<String> buckets, double usd) {
        double cost = Double.isFinite(usd) && usd > 0 ? usd : 0;
        handle.useTransaction(tx -> {
            for (String bucket : new LinkedHashSet<>(buckets)) {
                tx.createUpdate("""
                        INSERT INTO key_spend (key_id, bucket, usd, calls) VALUES (:key, :bucket, :usd, 1)
                        ON CONFLICT (key_id, bucket) DO UPDATE SET usd = usd + excluded.usd, calls = calls + 1""")
                        .bind("key", keyId).bind("bucket", bucket).bind("usd", cost).execute();
            }
        });
    }

    @Override
    public synchronized void close() {
        handle.close();
    }

    private Optional<VirtualKey> live(String name) {
        return handle.createQuery("SELECT * FROM keys WHERE name = :name AND revoked_at IS NULL")
                .bind("name", name).map((rs, ctx) -> key(rs)).findOne();
    }

    private static VirtualKey key(java.sql.ResultSet rs) throws java.sql.SQLException {
        double usd = rs.getDouble("budget_usd");
        Optional<KeyBudget> budget = rs.wasNull() ? Optional.empty()
                : Optional.of(new KeyBudget(usd, BudgetPeriod.parse(rs.getString("budget_per"))));
        String models = rs.getString("models");
        return new VirtualKey(rs.getString("id"), rs.getString("name"), budget,
                models.isEmpty() ? List.of() : Arrays.asList(models.split(",")), rs.getInt("rpm"),
                Instant.parse(rs.getString("created_at")), instant(rs.getString("expires_at")), instant(rs.getString("revoked_at")));
    }

    private static Optional<Instant> instant(String text) {
        return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    }

    private static void migrate(Handle handle, Path file) throws IOException {
        int version = handle.createQuery("PRAGMA user_version").mapTo(Integer.class).one();
        if (version > MIGRATIONS.size()) {
            throw new KeyStoreException("the key file " + file + " was written by a newer ensemble (schema " + version
                    + ", this one knows " + MIGRATIONS.size() + "); upgrade ensemble to use it");
        }
        for (int next = version; next < MIGRATIONS.size(); next++) {
            String sql = script(MIGRATIONS.get(next));
            int target = next + 1;
            handle.useTransaction(tx -> {
                tx.createScript(sql).execute();
                tx.execute("PRAGMA user_version = " + target);
            });
        }
    }

    private static String script(String name) throws IOException {
        try (InputStream in = KeyStore.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("the schema script " + name + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Creates the file 0600 (and missing folders 0700) before SQLite opens it, so it is never readable by others. */
    private static void createPrivately(Path file) throws IOException {
        Path folder = Objects.requireNonNull(file.getParent());
        if (!Files.isDirectory(folder)) {
            // Only ensemble's own folder is made private; ~/.local/share above it is the user's to set.
            if (folder.getParent() != null) Files.createDirectories(folder.getParent());
            try {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectory(folder);
            } catch (FileAlreadyExistsException e) {
                // Made by another process just now.
            }
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // An existing key file: its mode is set below.
        } catch (UnsupportedOperationException e) {
            if (!Files.exists(file)) Files.createFile(file);
        }
    }

    private static void restrict(Path path) throws IOException {
        if (!Files.exists(path)) return;
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to set.
        }
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
