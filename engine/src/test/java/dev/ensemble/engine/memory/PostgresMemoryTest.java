package dev.ensemble.engine.memory;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared-memory contract on a real PostgreSQL server (zonky's embedded binaries, on 127.0.0.1). */
class PostgresMemoryTest extends MemoryContract {
    private static EmbeddedPostgres server;
    private static Store store;

    @TempDir static Path repo;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        var settings = new StoreSettings("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres", "postgres", Optional.empty());
        store = Store.open(settings, repo, ref -> null);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (store != null) store.close();
        if (server != null) server.close();
    }

    @Override
    protected Store store() {
        return store;
    }
}
