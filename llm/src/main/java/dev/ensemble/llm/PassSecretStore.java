package dev.ensemble.llm;

import dev.ensemble.core.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Keys in the {@code pass} password store, as entries {@code ensemble/NAME}: stored with
 * {@code pass insert -m -f ensemble/NAME}, the value written to its standard input (never an
 * argument), removed with {@code pass rm -f}, listed and found from the store's folder
 * ({@code $PASSWORD_STORE_DIR}, else {@code ~/.password-store}) without decrypting anything.
 */
public final class PassSecretStore implements SecretStore {
    static final String PREFIX = "ensemble/";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path storeDir;
    private final SecretResolver.CommandRunner runner;

    public PassSecretStore(Path storeDir, SecretResolver.CommandRunner runner) {
        this.storeDir = Objects.requireNonNull(storeDir, "storeDir");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    @Override
    public String kind() {
        return "pass";
    }

    @Override
    public String describe() {
        return "the pass store at " + storeDir + ", entries " + PREFIX + "NAME";
    }

    @Override
    public String where(String name) {
        return "pass " + PREFIX + checked(name);
    }

    @Override
    public SecretRef ref(String name) {
        return new SecretRef.Pass(PREFIX + checked(name));
    }

    @Override
    public void put(String name, String value) {
        // -m reads until end of input, so no prompt waits for a second line; -f replaces an existing entry.
        run(List.of("pass", "insert", "-m", "-f", PREFIX + checked(name)), value + "\n", "store " + name);
    }

    @Override
    public boolean remove(String name) {
        if (!contains(name)) return false;
        run(List.of("pass", "rm", "-f", PREFIX + checked(name)), "", "remove " + name);
        return true;
    }

    @Override
    public List<String> names() {
        Path folder = storeDir.resolve("ensemble");
        if (!Files.isDirectory(folder)) return List.of();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".gpg"))
                    .map(f -> f.substring(0, f.length() - ".gpg".length())).filter(SecretStore::validName).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new SecretStoreException("cannot list " + folder + ": " + e.getClass().getSimpleName());
        }
        return names;
    }

    @Override
    public boolean contains(String name) {
        return SecretStore.validName(name) && Files.isRegularFile(storeDir.resolve("ensemble").resolve(name + ".gpg"));
    }

    private void run(List<String> command, String input, String what) {
        SecretResolver.CommandRunner.Result result;
        try {
            result = runner.run(command, input, TIMEOUT);
        } catch (IOException e) {
            throw new SecretStoreException("cannot " + what + " with pass: " + e.getMessage());
        }
        if (result.exitCode() != 0) {
            // pass's own stderr names gpg problems (no key, agent); it never echoes the input.
            String why = result.stderr().strip().lines().findFirst().orElse("");
            throw new SecretStoreException("cannot " + what + " with pass (exit " + result.exitCode() + ")" + (why.isEmpty() ? "" : ": " + why));
        }
    }

    private static String checked(String name) {
        if (!SecretStore.validName(name)) throw new SecretStoreException("'" + name + "' is not a valid secret name");
        return name;
    }
}
