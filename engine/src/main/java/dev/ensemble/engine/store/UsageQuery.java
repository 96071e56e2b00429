package dev.ensemble.engine.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Which ledger rows to sum ({@code since}: calls started at or after it) and how to group them. */
public record UsageQuery(Optional<Instant> since, UsageGrouping by) {
    public UsageQuery {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(by, "by");
    }

    public static UsageQuery by(UsageGrouping by) {
        return new UsageQuery(Optional.empty(), by);
    }

    public UsageQuery withSince(Instant newSince) {
        return new UsageQuery(Optional.of(newSince), by);
    }
}
