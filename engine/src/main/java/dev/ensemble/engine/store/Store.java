package dev.ensemble.engine.store;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.config.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * ensemble's database: SQLite in {@code <repo>/.ensemble/ensemble.db} by default, PostgreSQL when
 * the settings give a {@code jdbc:postgresql:} URL. Opening one brings its schema up to date.
 *
 * <p>SQLite allows one writer at a time. Writes that go through {@link #write} are serialized in
 * this process, so parallel model calls on virtual threads queue here instead of failing with
 * SQLITE_BUSY; the busy timeout covers other processes (a second {@code ensemble} in the same
 * repository).
 */
public final class Store implements AutoCloseable {
    static final String SQLITE_FILE = "ensemble.db";
    static final int BUSY_TIMEOUT_MS = 15_000;

    private final DataSource source;
    /**
     * Made on first use: setting Jdbi up costs ~0.2 s at a command's start, which a command that
     * opens the store without querying it (doctor, or one refused before its first call) need not pay.
     */
    private Jdbi jdbi;
    private final boolean postgres;
    private final Optional<Path> location;
    private final String description;
    /** Null for PostgreSQL, which takes concurrent writers itself. */
    private final ReentrantLock writeLock;
    /**
     * Held open for the store's life: when SQLite's last connection closes it checkpoints and
     * deletes the WAL, which would turn every short-lived write connection into a full checkpoint.
     */
    private final Connection keeper;
    /**
     * SQLite's one write connection, opened on the first write and kept: opening a connection and
     * setting its pragmas costs more than the insert itself (the ledger writes on every model call).
     */
    private Handle writer;
    /**
     * SQLite's kept read connection for the frequent small reads (the budget checks before every
     * model call), opened on first use; a read outside a transaction sees every commit made before it.
     */
    private Handle reader;
    private final ReentrantLock readLock = new ReentrantLock();
    /** Counts write connections opened, so a seal taken on an earlier one is not compared with a later one. */
    private long writerGeneration;

    private Store(DataSource source, boolean postgres, Optional<Path> location, String description, Connection keeper) {
        this.source = source;
        this.postgres = postgres;
        this.location = location;
        this.description = description;
        this.keeper = keeper;
        this.writeLock = postgres ? null : new ReentrantLock();
    }

    /**
     * Opens (creating where needed) the store the settings name and runs pending migrations.
     * {@code secrets} resolves the PostgreSQL password reference; it is not called for SQLite.
     *
     * @throws StoreException when the database cannot be reached, created or migrated
     */
    public static Store open(StoreSettings settings, Path repoRoot, Function<SecretRef, String> secrets) {
        String description = describe(settings, repoRoot);
        try {
            return settings.isPostgres() ? openPostgres(settings, description, secrets)
                    : openSqlite(sqlitePath(settings, repoRoot), description);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException | SQLException | IOException e) {
            throw new StoreException("cannot open the store (" + description + "): " + StoreException.reason(e), e);
        }
    }

    /**
     * An empty store in memory with the current schema, described as the store the settings name:
     * what a command that only reads ({@code runs}, {@code usage}, {@code report} …) looks at when
     * that store was never created, so looking never creates {@code .ensemble/} in a repository.
     * Writes to it are lost when it is closed.
     */
    public static Store emptyInMemory(StoreSettings settings, Path repoRoot) {
        String description = safeDescribe(settings, repoRoot) + " (not created yet)";
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        SQLiteDataSource source = new SQLiteDataSource(config);
        // A named shared-cache memory database: every connection of this store sees the same one, and
        // the keeper connection keeps it alive until close.
        source.setUrl("jdbc:sqlite:file:ensemble-empty-" + java.util.UUID.randomUUID() + "?mode=memory&cache=shared");
        try {
            Connection keeper = source.getConnection();
            try {
                migrate(source, "sqlite");
                return new Store(source, false, Optional.empty(), description, keeper);
            } catch (RuntimeException e) {
                keeper.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot make an empty store in memory: " + StoreException.reason(e), e);
        }
    }

    /**
     * Whether opening the store would find one rather than create one: always for PostgreSQL (a
     * server's database, nothing created here), else whether the SQLite file exists. An
     * unsupported URL counts as existing, so opening it reports the problem.
     */
    public static boolean exists(StoreSettings settings, Path repoRoot) {
        if (settings.isPostgres()) return true;
        try {
            return Files.exists(sqlitePath(settings, repoRoot));
        } catch (StoreException e) {
            return true;
        }
    }

    /**
     * Opens the store, checks that it takes writes and closes it again, never throwing: what
     * {@code ensemble doctor} shows. Opening creates the SQLite file and schema if they are missing.
     */
    public static StoreCheck check(StoreSettings settings, Path repoRoot, Function<SecretRef, String> secrets) {
        try (Store store = open(settings, repoRoot, secrets)) {
            return store.check();
        } catch (RuntimeException e) {
            return StoreCheck.failed(safeDescribe(settings, repoRoot), StoreException.reason(e));
        }
    }

    /** Whether this open store takes writes: inserts a probe ledger row and rolls it back. Never throws. */
    public StoreCheck check() {
        try {
            write(handle -> {
                handle.begin();
                try {
                    handle.createUpdate("INSERT INTO model_calls (started_at, provider, model, streamed, outcome) "
                                    + "VALUES (:at, 'ensemble', 'doctor-probe', :streamed, 'ok')")
                            .bind("at", UtcText.format(Instant.now()))
                            .bind("streamed", false)
                            .execute();
                } finally {
                    handle.rollback();
                }
                return null;
            });
            return StoreCheck.ok(description);
        } catch (RuntimeException e) {
            return StoreCheck.failed(description, StoreException.reason(e));
        }
    }

    /** Jdbi over this store; each handle is its own connection. Use {@link #write} for writes. */
    public synchronized Jdbi jdbi() {
        if (jdbi == null) jdbi = Jdbi.create(source);
        return jdbi;
    }

    /**
     * Runs a write on its own handle, one writer at a time on SQLite. Keep the callback short: every
     * other writer in the process waits for it.
     */
    public <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        if (writeLock == null) return jdbi().withHandle(callback);
        writeLock.lock();
        try {
            if (writer == null) {
                writer = jdbi().open();
                writerGeneration++;
            }
            try {
                return callback.withHandle(writer);
            } catch (Exception e) {
                // A failed write may leave the connection mid-transaction: start the next one afresh.
                closeWriter();
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs a short read on one kept connection (SQLite; PostgreSQL: a handle of its own), one
     * reader at a time: for reads made so often that opening a connection for each would cost
     * more than the read. A failed read drops the connection; the next opens a fresh one.
     */
    public <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X {
        if (postgres) return jdbi().withHandle(callback);
        readLock.lock();
        try {
            if (reader == null) reader = jdbi().open();
            try {
                return callback.withHandle(reader);
            } catch (Exception e) {
                closeReader();
                throw e;
            }
        } finally {
            readLock.unlock();
        }
    }

    private void closeReader() {
        try {
            if (reader != null) reader.close();
        } catch (RuntimeException e) {
            // The connection is being dropped anyway.
        }
        reader = null;
    }

    /**
     * What tells whether anyone but this process wrote the SQLite store: the file's identity and the
     * write connection's {@code PRAGMA data_version}, which changes exactly when another connection
     * (another process: an agent's {@code sqlite3}, a second ensemble) commits. Empty for PostgreSQL.
     */
    public Optional<StoreSeal> seal() {
        if (writeLock == null || location.isEmpty()) return Optional.empty();
        return Optional.of(write(handle -> new StoreSeal(fileKey(location.get()), writerGeneration,
                handle.createQuery("PRAGMA data_version").mapTo(Long.class).one())));
    }

    /** Why the store is not as {@code seal} found it (written by someone else, or its file replaced); empty when it is. */
    public Optional<String> brokenSeal(StoreSeal seal) {
        Optional<StoreSeal> now = seal();
        if (now.isEmpty()) return Optional.empty();
        if (!java.util.Objects.equals(seal.fileKey(), now.get().fileKey())) {
            return Optional.of("the store's file " + location.get() + " was replaced or deleted while the attempt ran");
        }
        if (seal.generation() == now.get().generation() && seal.dataVersion() != now.get().dataVersion()) {
            return Optional.of("the store " + location.get() + " was written by another process while the attempt ran");
        }
        return Optional.empty();
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return "absent";
        }
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** The SQLite file; empty for PostgreSQL. */
    public Optional<Path> location() {
        return location;
    }

    /** One line for people: {@code sqlite: /repo/.ensemble/ensemble.db} or {@code postgresql: jdbc:postgresql://host/db (user u)}. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }

    private void closeWriter() {
        if (writer == null) return;
        try {
            writer.close();
        } catch (RuntimeException e) {
            // The connection is being dropped anyway.
        }
        writer = null;
    }

    @Override
    public void close() {
        readLock.lock();
        try {
            closeReader();
        } finally {
            readLock.unlock();
        }
        if (writeLock != null) {
            writeLock.lock();
            try {
                closeWriter();
            } finally {
                writeLock.unlock();
            }
        }
        if (keeper == null) return;
        try {
            keeper.close();
        } catch (SQLException e) {
            // Closing only checkpoints the WAL; the rows are already durable.
        }
    }

    private static Store openSqlite(Path file, String description) throws IOException, SQLException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL is durable with WAL against application crashes; only a power cut can lose the last commits.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());

        Connection keeper = source.getConnection();
        try {
            // Flyway only when there is something to do: checking costs a query, Flyway about a second.
            if (!Migrations.current(keeper, "sqlite")) migrate(source, "sqlite");
            return new Store(source, false, Optional.of(file.toAbsolutePath()), description, keeper);
        } catch (RuntimeException e) {
            keeper.close();
            throw e;
        }
    }

    private static Store openPostgres(StoreSettings settings, String description, Function<SecretRef, String> secrets) {
        if (settings.url().toLowerCase(Locale.ROOT).contains("password=")) {
            throw new StoreException("the store URL must not carry a password: give it as store.password, "
                    + "a reference such as env:ENSEMBLE_DB_PASSWORD");
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(settings.url());
        if (!settings.user().isEmpty()) source.setUser(settings.user());
        settings.password().ifPresent(ref -> {
            String password = secrets.apply(ref);
            if (password == null || password.isEmpty()) {
                throw new StoreException("the store password " + ref + " is not set");
            }
            Redactor.global().register(password);
            source.setPassword(password);
        });
        migrate(source, "postgresql");
        return new Store(source, true, Optional.empty(), description, null);
    }

    private static void migrate(DataSource source, String dialect) {
        Flyway.configure(Store.class.getClassLoader())
                // Through SLF4J, like Jdbi: the application's binding decides (the CLI's is silent);
                // left to detect, Flyway falls back to java.util.logging and prints INFO lines on stderr.
                .loggers("slf4j")
                .dataSource(source)
                .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect)
                .load()
                .migrate();
    }

    static Path sqlitePath(StoreSettings settings, Path repoRoot) {
        String url = settings.url();
        if (url.isEmpty()) return repoRoot.resolve(".ensemble").resolve(SQLITE_FILE);
        if (url.startsWith("jdbc:sqlite:")) {
            String path = url.substring("jdbc:sqlite:".length());
            if (path.isEmpty() || path.startsWith(":memory:") || path.contains("?")) {
                throw new StoreException("a jdbc:sqlite: store URL needs a plain file path, such as jdbc:sqlite:/var/ensemble/ensemble.db");
            }
            return repoRoot.resolve(path);
        }
        throw new StoreException("unsupported store URL '" + url.replaceAll("\\?.*", "")
                + "': leave it empty for SQLite in .ensemble/, or give jdbc:postgresql://host/db");
    }

    private static String describe(StoreSettings settings, Path repoRoot) {
        if (!settings.isPostgres()) return "sqlite: " + sqlitePath(settings, repoRoot).toAbsolutePath();
        // The query string may carry connection options; the password never belongs there, and
        // nothing after '?' is needed to tell which database this is.
        String url = settings.url().replaceAll("\\?.*", "");
        return "postgresql: " + url + (settings.user().isEmpty() ? "" : " (user " + settings.user() + ")");
    }

    private static String safeDescribe(StoreSettings settings, Path repoRoot) {
        try {
            return describe(settings, repoRoot);
        } catch (RuntimeException e) {
            return "store: " + settings.url().replaceAll("\\?.*", "");
        }
    }
}
