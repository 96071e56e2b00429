package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.config.StoreSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    private static final Instant AT = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir Path repo;

    @Test
    void aFreshRepositoryGetsTheSchemaInWalMode() {
        assertThat(repo.resolve(".ensemble")).doesNotExist();
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            Path file = repo.resolve(".ensemble").resolve("ensemble.db");
            assertThat(file).isRegularFile();
            assertThat(store.location()).contains(file.toAbsolutePath());
            assertThat(store.description()).isEqualTo("sqlite: " + file.toAbsolutePath());
            assertThat(store.isPostgres()).isFalse();

            store.jdbi().useHandle(handle -> {
                assertThat(handle.createQuery("PRAGMA journal_mode").mapTo(String.class).one()).isEqualToIgnoringCase("wal");
                assertThat(handle.createQuery("PRAGMA busy_timeout").mapTo(Integer.class).one()).isEqualTo(Store.BUSY_TIMEOUT_MS);
                assertThat(handle.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one()).isEqualTo(1);
                assertThat(handle.createQuery("SELECT name FROM pragma_table_info('model_calls') ORDER BY cid")
                        .mapTo(String.class).list()).containsExactly("id", "started_at", "command", "run_id", "task_id",
                        "role", "provider", "model", "streamed", "input_tokens", "output_tokens", "cached_input_tokens",
                        "cost_usd", "latency_ms", "ttft_ms", "outcome", "error_kind", "error", "attempt", "fallback_step",
                        "key_id", "client_wire");
                assertThat(handle.createQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'model_calls'")
                        .mapTo(String.class).list()).contains("model_calls_started_at", "model_calls_model", "model_calls_key_id");
            });
            assertThat(history(store)).extracting(m -> m.get("version")).startsWith("1", "2", "3", "4");
        }
    }

    @Test
    void reopeningKeepsRowsAndDoesNotRunMigrationsAgain() {
        List<Map<String, Object>> before;
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            new Ledger(store).onCall(Calls.simple(AT, "gpt-a"));
            before = history(store);
        }
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            assertThat(history(store)).isEqualTo(before);
            assertThat(new Ledger(store).recent(10)).extracting(LedgerEntry::model).containsExactly("gpt-a");
        }
    }

    @Test
    void aDatabaseFromBeforeTheGatewayColumnsGetsThemAndItsRowsKeepEmptyOnes() {
        Path file = repo.resolve(".ensemble").resolve("ensemble.db");
        file.getParent().toFile().mkdirs();
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        org.flywaydb.core.Flyway.configure(getClass().getClassLoader()).loggers("slf4j")
                .dataSource(url, "", "").locations("classpath:db/migration/common", "classpath:db/migration/sqlite")
                .target("7").load().migrate();
        org.jdbi.v3.core.Jdbi.create(url).useHandle(handle -> handle.execute("INSERT INTO model_calls (started_at, provider, model, "
                + "streamed, outcome) VALUES ('2026-11-20T09:00:00.000Z', 'openai', 'gpt-old', 0, 'ok')"));
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            assertThat(history(store)).extracting(m -> m.get("version")).contains("7", "8");
            LedgerEntry old = new Ledger(store).recent(1).getFirst();
            assertThat(old.model()).isEqualTo("gpt-old");
            assertThat(old.keyId()).isEmpty();
            assertThat(old.clientWire()).isEmpty();
        }
    }

    @Test
    void aJdbcSqliteUrlIsAFileRelativeToTheRepository() {
        var settings = new StoreSettings("jdbc:sqlite:state/team.db", "", Optional.empty());
        try (Store store = Store.open(settings, repo, ref -> null)) {
            assertThat(store.location()).contains(repo.resolve("state/team.db").toAbsolutePath());
            assertThat(repo.resolve("state/team.db")).isRegularFile();
        }
    }

    @Test
    void checkReportsAStoreThatCannotBeCreatedWithoutThrowing() throws Exception {
        Files.writeString(repo.resolve("not-a-folder"), "x");
        var settings = new StoreSettings("jdbc:sqlite:not-a-folder/ensemble.db", "", Optional.empty());
        StoreCheck check = Store.check(settings, repo, ref -> null);
        assertThat(check.writable()).isFalse();
        assertThat(check.description()).isEqualTo("sqlite: " + repo.resolve("not-a-folder/ensemble.db").toAbsolutePath());
        assertThat(check.problem()).contains("FileAlreadyExistsException").doesNotContain("\n");
    }

    @Test
    void checkOfAWorkingStoreSaysWritable() {
        StoreCheck check = Store.check(StoreSettings.DEFAULT, repo, ref -> null);
        assertThat(check).isEqualTo(new StoreCheck(true, "sqlite: " + repo.resolve(".ensemble/ensemble.db").toAbsolutePath(), ""));
    }

    @Test
    void unsupportedUrlsAreRefusedWithAClearMessage() {
        var settings = new StoreSettings("jdbc:mysql://db/ensemble?password=hunter2hunter2", "", Optional.empty());
        assertThatThrownBy(() -> Store.open(settings, repo, ref -> null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unsupported store URL 'jdbc:mysql://db/ensemble'")
                .hasMessageNotContaining("hunter2");
        StoreCheck check = Store.check(settings, repo, ref -> null);
        assertThat(check.writable()).isFalse();
        assertThat(check.description() + check.problem()).doesNotContain("hunter2");
    }

    @Test
    void aPostgresUrlMustNotCarryThePassword() {
        var settings = new StoreSettings("jdbc:postgresql://127.0.0.1:1/ensemble?password=hunter2hunter2", "u", Optional.empty());
        assertThatThrownBy(() -> Store.open(settings, repo, ref -> null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("store.password")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anUnreachablePostgresIsReportedWithoutItsPassword() {
        String password = "pg-password-" + System.nanoTime();
        var settings = new StoreSettings("jdbc:postgresql://127.0.0.1:1/ensemble?connectTimeout=2", "alice",
                Optional.of(SecretRef.parse("env:ENSEMBLE_TEST_DB_PASSWORD")));
        StoreCheck check = Store.check(settings, repo, ref -> {
            assertThat(ref).hasToString("env:ENSEMBLE_TEST_DB_PASSWORD");
            return password;
        });
        assertThat(check.writable()).isFalse();
        assertThat(check.description()).isEqualTo("postgresql: jdbc:postgresql://127.0.0.1:1/ensemble (user alice)");
        assertThat(check.problem()).isNotBlank().doesNotContain(password);
        assertThat(Redactor.global().redact("x " + password)).isEqualTo("x " + Redactor.MASK);
    }

    @Test
    void aMissingPostgresPasswordIsNamedByItsReference() {
        var settings = new StoreSettings("jdbc:postgresql://127.0.0.1:1/ensemble", "alice",
                Optional.of(SecretRef.parse("env:ENSEMBLE_TEST_UNSET")));
        assertThatThrownBy(() -> Store.open(settings, repo, ref -> null))
                .isInstanceOf(StoreException.class)
                .hasMessage("the store password env:ENSEMBLE_TEST_UNSET is not set");
    }

    @Test
    void aRowThatCannotBeWrittenCostsOneRedactedLineOnStderrAndNoException() {
        String secret = "sk-ledger-failure-" + System.nanoTime();
        Redactor.global().register(secret);
        var errors = new ByteArrayOutputStream();
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            store.write(handle -> handle.execute("DROP TABLE model_calls"));
            var ledger = new Ledger(store, Redactor.global(), new PrintStream(errors, true, StandardCharsets.UTF_8));
            ledger.onCall(Calls.failed(AT, "ask " + secret, "planner", "openai", "gpt-a", 10, "auth", "bad key " + secret));
        }
        String printed = errors.toString(StandardCharsets.UTF_8);
        assertThat(printed.lines()).hasSize(1);
        assertThat(printed).contains("could not record a call to openai/gpt-a", "no such table").doesNotContain(secret);
    }

    private static List<Map<String, Object>> history(Store store) {
        return store.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT version, description, checksum, installed_on, success FROM flyway_schema_history ORDER BY installed_rank")
                .mapToMap().list());
    }
}
