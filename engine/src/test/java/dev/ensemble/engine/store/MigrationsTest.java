package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a store skips Flyway only when the database holds exactly the migrations this build carries. */
class MigrationsTest {
    @TempDir Path repo;

    private Path db() {
        return repo.resolve(".ensemble/ensemble.db");
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + db());
    }

    @Test
    void theBundledVersionsAreTheFilesOfTheCommonAndDialectFolders() throws Exception {
        Set<String> onDisk = new HashSet<>();
        for (String folder : List.of("common", "sqlite")) {
            try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration", folder))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql"))
                        .forEach(n -> onDisk.add(n.substring(1, n.indexOf("__"))));
            }
        }

        assertThat(Migrations.bundled("sqlite")).contains(onDisk);
        assertThat(onDisk).contains("1", "2");
    }

    @Test
    void aMigratedDatabaseIsCurrentAndANewOneIsNot() throws Exception {
        Files.createDirectories(db().getParent());
        try (Connection empty = connect()) {
            assertThat(Migrations.current(empty, "sqlite")).isFalse();
        }
        Store.open(StoreSettings.DEFAULT, repo, ref -> null).close();
        try (Connection migrated = connect()) {
            assertThat(Migrations.current(migrated, "sqlite")).isTrue();
        }
    }

    @Test
    void aDatabaseBehindThisBuildIsMigratedOnOpen() throws Exception {
        // As a database written by the build before the newest migration: migrated up to the one before it.
        List<Integer> versions = Migrations.bundled("sqlite").orElseThrow().stream().map(Integer::parseInt).sorted().toList();
        int newest = versions.getLast();
        int before = versions.get(versions.size() - 2);  // numbers may skip one another branch holds
        Files.createDirectories(db().getParent());
        Flyway.configure(getClass().getClassLoader()).loggers("slf4j").dataSource("jdbc:sqlite:" + db(), "", "")
                .locations("classpath:db/migration/common", "classpath:db/migration/sqlite")
                .target(MigrationVersion.fromVersion(Integer.toString(before))).load().migrate();
        try (Connection c = connect()) {
            assertThat(Migrations.current(c, "sqlite")).isFalse();
        }

        Store.open(StoreSettings.DEFAULT, repo, ref -> null).close();

        try (Connection c = connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE version = '" + newest + "' AND success")) {
            assertThat(rs.next() && rs.getInt(1) == 1).as("V" + newest + " applied on open").isTrue();
            assertThat(Migrations.current(c, "sqlite")).isTrue();
        }
    }

    @Test
    void aFailedOrUnknownMigrationIsNotCurrent() throws Exception {
        Store.open(StoreSettings.DEFAULT, repo, ref -> null).close();
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("UPDATE flyway_schema_history SET success = 0 WHERE version = '1'");
            assertThat(Migrations.current(c, "sqlite")).isFalse();
            st.execute("UPDATE flyway_schema_history SET success = 1 WHERE version = '1'");
            assertThat(Migrations.current(c, "sqlite")).isTrue();
            st.execute("UPDATE flyway_schema_history SET version = '99' WHERE version = '1'");
            assertThat(Migrations.current(c, "sqlite")).as("a migration of a newer build").isFalse();
        }
    }
    @Test
    void v10RebuildsRunsAndTheirTasksWithEveryRowIntact() throws Exception {
        // A database the build before the daemon wrote (up to V8): a run with two tasks, and an exec run.
        Files.createDirectories(db().getParent());
        Flyway.configure(getClass().getClassLoader()).loggers("slf4j").dataSource("jdbc:sqlite:" + db(), "", "")
                .locations("classpath:db/migration/common", "classpath:db/migration/sqlite")
                .target(MigrationVersion.fromVersion("8")).load().migrate();
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("INSERT INTO runs (run_id, request, plan_json, status, created_at, updated_at, kind) VALUES "
                    + "('run-a', 'add a flag', '{\"tasks\":[]}', 'running', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'go'), "
                    + "('run-b', 'one task', '', 'done', '2026-01-02T00:00:00Z', '2026-01-02T00:01:00Z', 'exec')");
            st.execute("INSERT INTO run_tasks (run_id, task_id, position, status, attempts, fallback_step, agent, model, reason, "
                    + "input_tokens, output_tokens, cached_tokens, cost_usd, duration_ms, files, session_id, updated_at) VALUES "
                    + "('run-a', 't1', 0, 'accepted', 2, 1, 'builtin', 'm1', 'ok', 10, 20, 3, 0.25, 1500, 'a.txt', 's1', 'x'), "
                    + "('run-a', 't2', 1, 'running', 1, 0, 'builtin', 'm2', '', 0, 0, 0, 0, 0, '', '', 'y')");
        }

        Store.open(StoreSettings.DEFAULT, repo, ref -> null).close();

        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = ON");
            try (var rs = st.executeQuery("SELECT run_id, request, plan_json, status, kind FROM runs ORDER BY run_id")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                        .containsExactly("run-a", "add a flag", "{\"tasks\":[]}", "running", "go");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(5)).isEqualTo("exec");
                assertThat(rs.next()).isFalse();
            }
            try (var rs = st.executeQuery("SELECT task_id, status, attempts, fallback_step, input_tokens, output_tokens, cached_tokens, "
                    + "cost_usd, duration_ms, files, session_id FROM run_tasks WHERE run_id = 'run-a' ORDER BY position")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)))
                        .containsExactly("t1", "accepted", "2", "1", "10", "20", "3", "0.25", "1500", "a.txt", "s1");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("t2");
            }
            // The new status is allowed, the old checks still hold, and the tasks still belong to their run.
            st.execute("UPDATE runs SET status = 'cancelled' WHERE run_id = 'run-a'");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute("UPDATE runs SET status = 'paused' WHERE run_id = 'run-a'"))
                    .hasMessageContaining("CHECK");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute("INSERT INTO run_tasks (run_id, task_id, position, status, "
                    + "updated_at) VALUES ('run-none', 't1', 0, 'pending', 'z')")).hasMessageContaining("FOREIGN KEY");
            st.execute("DELETE FROM runs WHERE run_id = 'run-a'");
            try (var rs = st.executeQuery("SELECT count(*) FROM run_tasks")) {
                assertThat(rs.next() && rs.getInt(1) == 0).as("tasks cascade with their run").isTrue();
            }
            try (var rs = st.executeQuery("PRAGMA foreign_key_check")) {
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
