package dev.ensemble.engine.approval;

import java.util.Locale;

/** What an approval is about; stored lower-case in {@code approvals.kind}. */
public enum ApprovalKind {
    /** What a command or run could cost is above {@code budget.approve_above_usd}. */
    FORECAST,
    /** Merging a finished run's branch into the user's branch. */
    APPLY,
    /** Tasks own files that {@code policy.approve_paths} names. */
    POLICY;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown key */
    public static ApprovalKind fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
