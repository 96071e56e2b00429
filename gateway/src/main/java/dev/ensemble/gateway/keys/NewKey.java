package dev.ensemble.gateway.keys;

import java.util.Objects;

/**
 * A key just made, with its secret: the only time the secret exists outside the client that
 * holds it. {@link #toString()} leaves the secret out, so a log line or an assertion message
 * cannot carry it by accident.
 */
public record NewKey(VirtualKey key, String secret) {
    public NewKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "NewKey[" + key + ", secret=" + KeySecrets.PREFIX + "…]";
    }
}
