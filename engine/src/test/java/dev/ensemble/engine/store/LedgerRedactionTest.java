package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that reaches the ledger inside an error message must not reach the disk: not in any
 * column of any table, not in the raw bytes of the database, its WAL or its shared-memory file.
 */
class LedgerRedactionTest {
    @TempDir Path repo;

    @Test
    void aPlantedSecretIsInNoRowAndInNoByteOnDisk() throws IOException {
        String secret = "sk-planted-" + HexFormat.of().toHexDigits(System.nanoTime());
        // Proves the byte scan can see ledger text at all: this marker is stored as is.
        String marker = "visible-marker-" + HexFormat.of().toHexDigits(System.nanoTime());
        Redactor.global().register(secret);

        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            var context = new CallContext("ask --key " + secret, "run-" + secret, "task", "planner", 1, 0);
            new Ledger(store).onCall(new CallRecord(Instant.parse("2026-11-21T10:00:00Z"), context, "openai", "gpt-a",
                    true, Usage.ZERO, 0, Duration.ofMillis(5), Duration.ofMillis(5), CallRecord.Outcome.ERROR,
                    "auth " + secret, "401 from upstream: invalid api key " + secret + " " + marker));

            List<String> cells = everyCell(store);
            assertThat(cells).anySatisfy(cell -> assertThat(cell).contains(marker).contains(Redactor.MASK));
            assertThat(cells).noneSatisfy(cell -> assertThat(cell).contains(secret));

            String whileOpen = diskText(store.location().orElseThrow());
            assertThat(whileOpen).contains(marker);
            assertThat(whileOpen).doesNotContain(secret);
        }
        String afterClose = diskText(repo.resolve(".ensemble/ensemble.db"));
        assertThat(afterClose).contains(marker).doesNotContain(secret);
    }

    /** Every value of every column of every table, as text. */
    private static List<String> everyCell(Store store) {
        return store.jdbi().withHandle(handle -> {
            List<String> tables = handle.createQuery("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .mapTo(String.class).list();
            assertThat(tables).contains("model_calls", "flyway_schema_history");
            List<String> cells = new ArrayList<>();
            for (String table : tables) {
                handle.createQuery("SELECT * FROM \"" + table + "\"").mapToMap().forEach(row ->
                        row.values().forEach(value -> cells.add(String.valueOf(value))));
            }
            return cells;
        });
    }

    /** The database file and its -wal and -shm companions, decoded leniently like `strings` would see them. */
    private static String diskText(Path db) throws IOException {
        var text = new StringBuilder();
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Path file = db.resolveSibling(db.getFileName() + suffix);
            if (Files.exists(file)) text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
        }
        return text.toString();
    }
}
