package dev.ensemble.engine.run;

import java.util.Locale;

/**
 * What recorded a run; stored lower-case in {@code runs.kind}. A {@code go} run has a plan and
 * tasks and can be resumed; an {@code exec} run is one task through one agent, listed by
 * {@code ensemble runs} with its outcome and report, and is run again rather than resumed.
 */
public enum RunKind {
    GO, EXEC;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunKind fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
