package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.Objects;

/**
 * What a task mostly asks for, how sure the classifier is (0..1, the winning kind's combined
 * probability) and why, in words a person can check ("keywords: review, diff; learned model 0.82").
 */
public record Classification(TaskKind kind, double confidence, String reason) {
    public Classification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        if (!(confidence >= 0 && confidence <= 1)) throw new IllegalArgumentException("confidence must be within 0..1, was " + confidence);
    }

    /** The caller's {@code --kind} or role: certain, and says so. */
    public static Classification overridden(TaskKind kind, String why) {
        return new Classification(kind, 1.0, why);
    }
}
