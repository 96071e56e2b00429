package dev.ensemble.engine.run;

import java.util.Locale;

/** Where a run stands; stored lower-case in {@code runs.status}. */
public enum RunStatus {
    CREATED, PLANNING, RUNNING, DONE, FAILED,
    /** Stopped by `ensemble cancel`: its worktrees are kept; `resume` can still finish it. */
    CANCELLED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    public boolean finished() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }
}
