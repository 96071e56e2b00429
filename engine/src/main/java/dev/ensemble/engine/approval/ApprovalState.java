package dev.ensemble.engine.approval;

import java.util.Locale;

/**
 * Where an approval stands; stored lower-case in {@code approvals.state}. Only a pending one can be
 * decided; the other three are final.
 */
public enum ApprovalState {
    PENDING, APPROVED, REJECTED,
    /** Nobody answered before its timeout: its default decision was applied. */
    EXPIRED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown key */
    public static ApprovalState fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
