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
        int newest = Migrations.bundled("sqlite").orElseThrow().stream().mapToInt(Integer::parseInt).max().orElseThrow();
        Files.createDirectories(db().getParent());
        Flyway.configure(getClass().getClassLoader()).loggers("slf4j").dataSource("jdbc:sqlite:" + db(), "", "")
                .locations("classpath:db/migration/common", "classpath:db/migration/sqlite")
                .target(MigrationVersion.fromVersion(Integer.toString(newest - 1))).load().migrate();
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
}
