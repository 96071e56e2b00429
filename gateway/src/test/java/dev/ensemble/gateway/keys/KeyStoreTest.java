package dev.ensemble.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir Path dir;
    private final TestClock clock = new TestClock(T0);

    private Path file() {
        return dir.resolve("data/ensemble/keys.db");
    }

    @Test
    void aKeyIsMadeListedAndRevokedAndItsSecretIsShownOnlyOnce() {
        try (KeyStore store = KeyStore.open(file(), clock)) {
            NewKey made = store.create("ci-bot", Optional.of(new KeyBudget(5, BudgetPeriod.DAY)), List.of("cheap", "coding"), 60,
                    Optional.of(T0.plus(Duration.ofDays(30))));
            assertThat(made.secret()).startsWith("ens-vk-").hasSize("ens-vk-".length() + 43).matches("ens-vk-[0-9A-Za-z]{43}");
            assertThat(made.key().id()).matches("key-[0-9a-z]{10}");
            assertThat(made.toString()).doesNotContain(made.secret());

            VirtualKey listed = store.list().getFirst();
            assertThat(listed).isEqualTo(made.key());
            assertThat(listed.toString()).doesNotContain(made.secret().substring("ens-vk-".length()));
            assertThat(listed.status(T0)).isEqualTo(VirtualKey.Status.ACTIVE);
            assertThat(store.bySecret(made.secret())).contains(listed);
            assertThat(store.bySecret(made.secret() + "x")).isEmpty();
            assertThat(store.find("ci-bot")).contains(listed);
            assertThat(store.find(listed.id())).contains(listed);

            clock.advance(Duration.ofMinutes(1));
            VirtualKey revoked = store.revoke("ci-bot");
            assertThat(revoked.status(clock.instant())).isEqualTo(VirtualKey.Status.REVOKED);
            assertThat(revoked.revokedAt()).contains(T0.plus(Duration.ofMinutes(1)));
            assertThat(store.bySecret(made.secret())).as("still found, to be refused as revoked").contains(revoked);
            assertThatThrownBy(() -> store.revoke(listed.id())).hasMessageContaining("revoked already");

            NewKey again = store.create("ci-bot", Optional.empty(), List.of(), 0, Optional.empty());
            assertThat(again.key().id()).isNotEqualTo(listed.id());
            assertThat(store.find("ci-bot")).contains(again.key());
            assertThat(store.list()).hasSize(2);
        }
    }

    @Test
    void aKeyExpiresAtItsTime() {
        try (KeyStore store = KeyStore.open(file(), clock)) {
            VirtualKey key = store.create("short", Optional.empty(), List.of(), 0, Optional.of(T0.plusSeconds(60))).key();
            assertThat(key.status(T0.plusSeconds(59))).isEqualTo(VirtualKey.Status.ACTIVE);
            assertThat(key.status(T0.plusSeconds(60))).isEqualTo(VirtualKey.Status.EXPIRED);
            assertThatThrownBy(() -> store.create("short", Optional.empty(), List.of(), 0, Optional.empty()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists already").hasMessageContaining("revoke it first");
        }
    }

    @Test
    void namesAndRevocationsOfUnknownKeysAreRefused() {
        try (KeyStore store = KeyStore.open(file(), clock)) {
            for (String bad : new String[] {"", "-lead", "has space", "x".repeat(65), "semi;colon"}) {
                assertThatThrownBy(() -> store.create(bad, Optional.empty(), List.of(), 0, Optional.empty()))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a key name");
            }
            assertThatThrownBy(() -> store.revoke("nobody")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no key named nobody");
            assertThat(store.list()).isEmpty();
        }
    }

    @Test
    void onlyTheHashIsOnDiskAndTheFileIsTheUsersAlone() throws Exception {
        String secret;
        try (KeyStore store = KeyStore.open(file(), clock)) {
            secret = store.create("ci-bot", Optional.empty(), List.of(), 0, Optional.empty()).secret();
            // While open, the row may still sit in the write-ahead log: neither file may hold the secret.
            assertThat(bytesOf(file()) + bytesOf(Path.of(file() + "-wal"))).doesNotContain(secret)
                    .doesNotContain(secret.substring("ens-vk-".length()));
        }
        String disk = bytesOf(file()) + bytesOf(Path.of(file() + "-wal"));
        assertThat(disk).doesNotContain(secret).doesNotContain(secret.substring("ens-vk-".length()))
                .contains(KeySecrets.hash(secret));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file().getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file().getParent().getParent())))
                .as("the data home above is left as the user's umask makes it").isNotEqualTo("rwx------");
    }

    @Test
    void aLooserModeIsTightenedWhenTheFileIsOpened() throws Exception {
        KeyStore.open(file(), clock).close();
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
        KeyStore.open(file(), clock).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void spendIsKeptAcrossReopening() {
        String id;
        try (KeyStore store = KeyStore.open(file(), clock)) {
            id = store.create("ci-bot", Optional.of(new KeyBudget(5, BudgetPeriod.DAY)), List.of(), 0, Optional.empty()).key().id();
            store.addSpend(id, List.of("2026-11-21", "total"), 0.25);
            store.addSpend(id, List.of("2026-11-21", "total"), 0.5);
        }
        try (KeyStore store = KeyStore.open(file(), clock)) {
            assertThat(store.spent(id, "2026-11-21")).isEqualTo(0.75);
            assertThat(store.spent(id, "total")).isEqualTo(0.75);
            assertThat(store.spent(id, "2026-11-22")).isZero();
        }
    }

    @Test
    void aFileFromANewerEnsembleIsRefusedNotGuessedAt() {
        KeyStore.open(file(), clock).close();
        Jdbi.create("jdbc:sqlite:" + file()).useHandle(h -> h.execute("PRAGMA user_version = 99"));
        assertThatThrownBy(() -> KeyStore.open(file(), clock)).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("written by a newer ensemble").hasMessageContaining(file().toAbsolutePath().toString());
    }

    @Test
    void theSchemaIsMigratedOnceAndReopeningKeepsIt() {
        try (KeyStore store = KeyStore.open(file(), clock)) {
            store.create("a", Optional.empty(), List.of(), 0, Optional.empty());
        }
        try (KeyStore store = KeyStore.open(file(), clock)) {
            assertThat(store.list()).extracting(VirtualKey::name).containsExactly("a");
        }
        int version = Jdbi.create("jdbc:sqlite:" + file()).withHandle(h -> h.createQuery("PRAGMA user_version").mapTo(Integer.class).one());
        assertThat(version).isEqualTo(1);
    }

    @Test
    void periodsNameTheirBuckets() {
        Instant at = Instant.parse("2026-11-21T23:59:59Z");
        assertThat(BudgetPeriod.DAY.bucket(at, "r")).isEqualTo("2026-11-21");
        assertThat(BudgetPeriod.MONTH.bucket(at, "r")).isEqualTo("2026-11");
        assertThat(BudgetPeriod.TOTAL.bucket(at, "r")).isEqualTo("total");
        assertThat(BudgetPeriod.RUN.bucket(at, "r")).isEqualTo("run:r");
        assertThat(BudgetPeriod.parse(" Month ")).isEqualTo(BudgetPeriod.MONTH);
        assertThatThrownBy(() -> BudgetPeriod.parse("week")).hasMessage("expected day, run, month or total, got 'week'");
    }

    private static String bytesOf(Path path) throws Exception {
        return Files.exists(path) ? new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1) : "";
    }
}
