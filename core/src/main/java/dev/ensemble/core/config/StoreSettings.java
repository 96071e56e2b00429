package dev.ensemble.core.config;

import dev.ensemble.core.SecretRef;
import java.util.Objects;
import java.util.Optional;

/**
 * Where ensemble keeps its state. An empty {@code url} means the default: SQLite in
 * {@code <repo>/.ensemble/ensemble.db}. A {@code jdbc:postgresql:} URL selects PostgreSQL (for
 * teams), with the password given by reference, never by value.
 */
public record StoreSettings(String url, String user, Optional<SecretRef> password) {
    public static final StoreSettings DEFAULT = new StoreSettings("", "", Optional.empty());

    public StoreSettings {
        url = url == null ? "" : url;
        user = user == null ? "" : user;
        Objects.requireNonNull(password, "password");
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }
}
