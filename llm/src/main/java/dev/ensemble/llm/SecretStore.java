package dev.ensemble.llm;

import dev.ensemble.core.SecretRef;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where {@code ensemble secrets set NAME} keeps a provider key, so that the configuration can
 * reference it: the macOS keychain on macOS, {@code pass} where it is set up, else one 0600 file
 * per key under the user's config folder ({@link SecretStores#choose}). A store never prints,
 * logs or puts in an exception message a value; values reach helper programs on their standard
 * input, never on a command line.
 *
 * <p>Names are what an environment variable may be called ({@code ANTHROPIC_API_KEY}): the
 * resolver looks up an unset {@code env:NAME} reference under the same name, and a file store
 * uses the name as a file name, so nothing else is accepted.
 */
public sealed interface SecretStore permits FileSecretStore, PassSecretStore, KeychainSecretStore {
    Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** "file", "pass" or "keychain". */
    String kind();

    /** Where this store keeps its keys, in words: "files under ~/.config/ensemble/secrets (mode 0600)". */
    String describe();

    /** Where one key is (or would be) kept: a path, a pass entry, a keychain item. */
    String where(String name);

    /** The reference that reads the key back: {@code file:/…/NAME}, {@code pass:ensemble/NAME}, {@code keychain:ai-secrets/NAME}. */
    SecretRef ref(String name);

    /** Stores (or replaces) a key. @throws SecretStoreException saying why, never with the value */
    void put(String name, String value);

    /** @return whether there was a key to remove. @throws SecretStoreException saying why it could not be removed */
    boolean remove(String name);

    /** The names of the stored keys, sorted. @throws SecretStoreException when the store cannot be listed */
    List<String> names();

    /** Whether a key is stored under {@code name}, found without reading its value where the store allows. */
    boolean contains(String name);

    /** A store operation failed; the message names the key and the reason, never its value. */
    final class SecretStoreException extends RuntimeException {
        public SecretStoreException(String message) {
            super(message);
        }
    }
}
