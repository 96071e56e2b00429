package dev.ensemble.engine.memory;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteMemoryTest extends MemoryContract {
    @TempDir Path repo;
    private Store store;

    /** Opened on first use: the contract's set-up runs before any of this class's own. */
    @Override
    protected Store store() {
        if (store == null) store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }
}
