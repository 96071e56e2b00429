package dev.ensemble.engine.store;

/**
 * Whether the store takes writes, for {@code ensemble doctor}. {@code problem} is empty when it
 * does, and otherwise one redacted line.
 */
public record StoreCheck(boolean writable, String description, String problem) {
    public StoreCheck {
        description = description == null ? "" : description;
        problem = problem == null ? "" : problem;
    }

    static StoreCheck ok(String description) {
        return new StoreCheck(true, description, "");
    }

    static StoreCheck failed(String description, String problem) {
        return new StoreCheck(false, description, problem);
    }
}
