package dev.ensemble.agents.enforce;

import java.util.Objects;

/**
 * One broken rule: the path (repository-relative, or absolute for things outside it), a stable
 * short rule id (see {@link Rules}) and a sentence for the user.
 */
public record Violation(String path, String rule, String detail) {
    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return rule + ": " + path + " (" + detail + ")";
    }
}
