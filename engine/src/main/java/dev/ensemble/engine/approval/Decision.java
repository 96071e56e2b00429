package dev.ensemble.engine.approval;

import java.util.Locale;

/** An answer to an approval; stored lower-case in {@code approvals.decision} and {@code default_decision}. */
public enum Decision {
    APPROVE, REJECT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown key */
    public static Decision fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }

    /** The state an answer (not a timeout) leaves the approval in. */
    ApprovalState state() {
        return this == APPROVE ? ApprovalState.APPROVED : ApprovalState.REJECTED;
    }
}
