package dev.ensemble.gateway.keys;

/** The key file cannot be opened, migrated, read or written; the message names the file and the cause, never a secret. */
public final class KeyStoreException extends RuntimeException {
    public KeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public KeyStoreException(String message) {
        super(message);
    }
}
