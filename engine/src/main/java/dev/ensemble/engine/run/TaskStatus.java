package dev.ensemble.engine.run;

import java.util.Locale;

/** Where a task of a run stands; stored lower-case in {@code run_tasks.status}. */
public enum TaskStatus {
    PENDING, RUNNING, ACCEPTED, FAILED, REJECTED, SKIPPED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskStatus fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    /** No more work will be done on it in this run. */
    public boolean finished() {
        return this == ACCEPTED || this == FAILED || this == REJECTED || this == SKIPPED;
    }

    static TaskStatus of(TaskOutcome.Status status) {
        return switch (status) {
            case ACCEPTED -> ACCEPTED;
            case FAILED, EXHAUSTED, REFUSED -> FAILED;
            case REJECTED -> REJECTED;
        };
    }
}
