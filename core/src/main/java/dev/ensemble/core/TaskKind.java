package dev.ensemble.core;

import java.util.Locale;

/** What a piece of work mostly asks of a model; capability scores and routing are per kind. */
public enum TaskKind {
    PLANNING, CODING, REVIEW, SEARCH;

    /** The spelling used in YAML, JSON and on the command line. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskKind fromKey(String key) {
        for (TaskKind kind : values()) {
            if (kind.key().equalsIgnoreCase(key)) return kind;
        }
        throw new IllegalArgumentException("unknown task kind '" + key + "' (expected planning, coding, review or search)");
    }
}
