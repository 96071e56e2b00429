package dev.ensemble.engine.approval;

import java.util.Locale;

/** Who decided an approval; stored lower-case in {@code approvals.decided_by}. */
public enum Answerer {
    /** A "y" or "n" typed at the prompt of the command that asked. */
    TERMINAL,
    /** {@code --yes} (or {@code --apply}) on the command line: decided before it was asked. */
    FLAG,
    /** {@code ensemble approve} or {@code ensemble reject}, typically from a second terminal. */
    CLI,
    /** The daemon's JSON API. */
    API,
    DASHBOARD,
    TELEGRAM,
    /** Nobody answered in time: the default decision. */
    TIMEOUT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown key */
    public static Answerer fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
