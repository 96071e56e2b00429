package dev.ensemble.gateway.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual key as stored, without its secret (only the secret's hash is ever stored, and it is
 * not carried here either). {@code id} is the public id that the ledger, logs and metrics name;
 * {@code models} empty means any model; {@code rpm} 0 means no rate limit.
 */
public record VirtualKey(String id, String name, Optional<KeyBudget> budget, List<String> models, int rpm,
                         Instant createdAt, Optional<Instant> expiresAt, Optional<Instant> revokedAt) {
    public enum Status { ACTIVE, EXPIRED, REVOKED }

    public VirtualKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(budget, "budget");
        models = List.copyOf(models);
        if (rpm < 0) throw new IllegalArgumentException("rpm cannot be negative");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
    }

    public Status status(Instant now) {
        if (revokedAt.isPresent()) return Status.REVOKED;
        if (expiresAt.isPresent() && !now.isBefore(expiresAt.get())) return Status.EXPIRED;
        return Status.ACTIVE;
    }

    /** "ci-bot (key-3k9x2m7q1p)": how sentences name a key. */
    public String label() {
        return name + " (" + id + ")";
    }
}
