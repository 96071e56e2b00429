package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger contract against a real PostgreSQL server: zonky's binaries from Maven Central, on
 * 127.0.0.1. PostgreSQL refuses to run as root; zonky handles that itself by starting initdb and
 * pg_ctl under {@code unshare -U} (an unprivileged user namespace) when the tests run as root.
 */
class PostgresLedgerTest extends LedgerContract {
    private static EmbeddedPostgres server;
    private static StoreSettings settings;
    private static Store store;

    @TempDir static Path repo;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        // The server trusts local connections, so the password is not checked; giving one still
        // exercises its resolution.
        settings = new StoreSettings(jdbcUrl(), "postgres", Optional.of(SecretRef.parse("env:ENSEMBLE_TEST_PG_PASSWORD")));
        store = Store.open(settings, repo, PostgresLedgerTest::password);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (store != null) store.close();
        if (server != null) server.close();
    }

    private static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
    }

    private static String password(SecretRef ref) {
        return "pg-test-password-8c2f";
    }

    @Override
    protected Store store() {
        return store;
    }

    @Test
    void theSchemaIsMigratedAndDescribedWithoutThePassword() {
        assertThat(store.isPostgres()).isTrue();
        assertThat(store.location()).isEmpty();
        assertThat(store.description()).isEqualTo("postgresql: " + jdbcUrl() + " (user postgres)");
        assertThat(history(store)).extracting(row -> row.get("version")).startsWith("1", "2", "3", "4");
        List<String> indexes = store.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'model_calls'").mapTo(String.class).list());
        assertThat(indexes).contains("model_calls_started_at", "model_calls_model", "model_calls_key_id");
        assertThat(history(store)).extracting(row -> row.get("version")).contains("8");
        List<String> columns = store.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'model_calls'").mapTo(String.class).list());
        assertThat(columns).contains("key_id", "client_wire");
        assertThat(Redactor.global().redact(password(null))).isEqualTo(Redactor.MASK);
    }

    @Test
    void reopeningKeepsRowsAndDoesNotRunMigrationsAgain() {
        ledger.onCall(Calls.simple(T1, "gpt-a"));
        List<Map<String, Object>> before = history(store);
        try (Store again = Store.open(settings, repo, PostgresLedgerTest::password)) {
            assertThat(history(again)).isEqualTo(before);
            assertThat(new Ledger(again).recent(5)).extracting(LedgerEntry::model).containsExactly("gpt-a");
        }
    }

    @Test
    void aDatabaseFromBeforeTheGatewayColumnsGetsThemAndItsRowsKeepEmptyOnes() {
        store.write(handle -> handle.execute("CREATE DATABASE before_gateway"));
        String url = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/before_gateway";
        org.flywaydb.core.Flyway.configure(getClass().getClassLoader()).loggers("slf4j")
                .dataSource(url, "postgres", "").locations("classpath:db/migration/common", "classpath:db/migration/postgresql")
                .target("7").load().migrate();
        org.jdbi.v3.core.Jdbi.create(url, "postgres", "").useHandle(handle -> handle.execute("INSERT INTO model_calls "
                + "(started_at, provider, model, streamed, outcome) VALUES ('2026-11-20T09:00:00.000Z', 'openai', 'gpt-old', false, 'ok')"));
        try (Store upgraded = Store.open(new StoreSettings(url, "postgres", Optional.empty()), repo, ref -> null)) {
            assertThat(history(upgraded)).extracting(row -> row.get("version")).contains("7", "8");
            LedgerEntry old = new Ledger(upgraded).recent(1).getFirst();
            assertThat(old.model()).isEqualTo("gpt-old");
            assertThat(old.keyId()).isEmpty();
            assertThat(old.clientWire()).isEmpty();
        }
    }

    @Test
    void parallelWritersLoseNoRow() throws Exception {
        int threads = 8;
        int calls = 10;
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(executor.submit(() -> {
                    for (int i = 0; i < calls; i++) {
                        ledger.onCall(Calls.ok(Instant.parse("2026-11-21T10:00:00Z").plusMillis(i), "run", "implementer",
                                "openai", "model-" + thread, new Usage(1, 1, 0), 0.5, 10, false, 10));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) future.get();
        }
        assertThat(ledger.totals(Optional.empty()).calls()).isEqualTo((long) threads * calls);
    }

    private static List<Map<String, Object>> history(Store store) {
        return store.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT version, description, checksum, installed_on, success FROM flyway_schema_history ORDER BY installed_rank")
                .mapToMap().list());
    }
}
