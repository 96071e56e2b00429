package dev.ensemble.llm;

import dev.ensemble.core.SecretRef;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Keys in the macOS login keychain as generic passwords of service {@code ai-secrets}, account
 * NAME: the items a {@code keychain:ai-secrets/NAME} reference reads.
 *
 * <p>{@code security add-generic-password -w VALUE} would put the value on a command line, where
 * {@code ps} shows it to every user, and {@code -w} without a value prompts on the terminal rather
 * than reading a pipe. So the value goes through {@code security -i} (its interactive mode, which
 * reads commands from standard input): one line {@code add-generic-password -U -s ai-secrets -a
 * NAME -w "VALUE"}, quoted with backslash escapes, written to its standard input. A value with a
 * line break is refused before that, and the item is read back and compared afterwards, since
 * interactive mode may exit 0 after a failed command. Listing parses {@code security dump-keychain} (attributes
 * only, no {@code -d}: no value is decrypted).
 */
public final class KeychainSecretStore implements SecretStore {
    static final String SERVICE = SecretRef.DEFAULT_KEYCHAIN_SERVICE;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SecretResolver.CommandRunner runner;

    public KeychainSecretStore(SecretResolver.CommandRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    @Override
    public String kind() {
        return "keychain";
    }

    @Override
    public String describe() {
        return "the macOS keychain, service " + SERVICE;
    }

    @Override
    public String where(String name) {
        return "keychain " + SERVICE + "/" + checked(name);
    }

    @Override
    public SecretRef ref(String name) {
        return new SecretRef.Keychain(SERVICE, checked(name));
    }

    @Override
    public void put(String name, String value) {
        if (value.contains("\n") || value.contains("\r")) {
            throw new SecretStoreException("cannot store " + name + " in the keychain: the value has a line break");
        }
        String line = "add-generic-password -U -s " + SERVICE + " -a " + checked(name) + " -w " + quote(value) + "\n";
        SecretResolver.CommandRunner.Result result = run(List.of("security", "-i"), line, "store " + name);
        // Interactive mode may exit 0 after a failed command: read the item back (security made it,
        // so security may read it without a prompt) and compare, in memory only.
        SecretResolver.CommandRunner.Result back = run(
                List.of("security", "find-generic-password", "-s", SERVICE, "-a", name, "-w"), "", "check " + name);
        if (result.exitCode() != 0 || back.exitCode() != 0 || !back.stdout().strip().equals(value.strip())) {
            throw new SecretStoreException("cannot store " + name + " in the keychain (security exited " + result.exitCode() + ")");
        }
    }

    @Override
    public boolean remove(String name) {
        SecretResolver.CommandRunner.Result result = run(
                List.of("security", "delete-generic-password", "-s", SERVICE, "-a", checked(name)), "", "remove " + name);
        return result.exitCode() == 0;
    }

    @Override
    public List<String> names() {
        SecretResolver.CommandRunner.Result result = run(List.of("security", "dump-keychain"), "", "list the keychain");
        if (result.exitCode() != 0) throw new SecretStoreException("cannot list the keychain (security exited " + result.exitCode() + ")");
        return parseDump(result.stdout());
    }

    @Override
    public boolean contains(String name) {
        if (!SecretStore.validName(name)) return false;
        try {
            // Without -w security prints the item's attributes only: nothing is decrypted, no prompt.
            return runner.run(List.of("security", "find-generic-password", "-s", SERVICE, "-a", name), TIMEOUT).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The accounts of the generic-password items of service {@value #SERVICE} in a {@code security dump-keychain} listing. */
    static List<String> parseDump(String dump) {
        TreeSet<String> names = new TreeSet<>();
        String account = null;
        String service = null;
        boolean generic = false;
        for (String line : (dump + "\nkeychain: end").split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("keychain:")) {
                if (generic && SERVICE.equals(service) && account != null && SecretStore.validName(account)) names.add(account);
                account = null;
                service = null;
                generic = false;
            } else if (trimmed.startsWith("class:")) {
                generic = trimmed.contains("\"genp\"");
            } else if (trimmed.startsWith("\"acct\"")) {
                account = quotedValue(trimmed);
            } else if (trimmed.startsWith("\"svce\"")) {
                service = quotedValue(trimmed);
            }
        }
        return new ArrayList<>(names);
    }

    private static String quotedValue(String line) {
        int eq = line.indexOf("=\"");
        if (eq < 0 || !line.endsWith("\"")) return null;
        return line.substring(eq + 2, line.length() - 1);
    }

    /** Double quotes with backslash escapes, as security's interactive mode splits its input lines. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private SecretResolver.CommandRunner.Result run(List<String> command, String input, String what) {
        try {
            return runner.run(command, input, TIMEOUT);
        } catch (IOException e) {
            throw new SecretStoreException("cannot " + what + " with security: " + e.getMessage());
        }
    }

    private static String checked(String name) {
        if (!SecretStore.validName(name)) throw new SecretStoreException("'" + name + "' is not a valid secret name");
        return name;
    }
}
