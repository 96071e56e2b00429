package dev.ensemble.engine.memory;

import java.util.Locale;

/** What a note records; the key is what the store and the command line use. */
public enum NoteKind {
    /** Something true about the repository or the request. */
    FACT,
    /** A choice made (by the planner, usually) that later steps must follow. */
    DECISION,
    /** A rule of style or layout to keep. */
    CONVENTION,
    /** Something a task discovered while working. */
    FINDING,
    /** Why something was accepted or rejected (the judge's reasons). */
    REASON;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NoteKind fromKey(String key) {
        for (NoteKind kind : values()) {
            if (kind.key().equalsIgnoreCase(key == null ? "" : key.trim())) return kind;
        }
        throw new IllegalArgumentException("unknown note kind '" + key + "' (expected fact, decision, convention, finding or reason)");
    }
}
