package dev.ensemble.agents.workspace;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One changed path between a task's base commit and its commit, as git recorded it. Modes are git's
 * octal strings ({@code 100644}, {@code 100755} executable, {@code 120000} symlink, {@code 160000}
 * gitlink, {@code 000000} absent). {@code size} and {@code binary} describe the new content (zero and
 * false for a deletion); {@code newContent} is false when only the path or mode changed (a pure
 * rename keeps its old bytes), so content rules judge only what the agent wrote.
 */
public record Change(Type type, String path, Optional<String> oldPath, String oldMode, String newMode,
                     Optional<String> symlinkTarget, long size, boolean binary, boolean newContent) {

    public static final String MODE_ABSENT = "000000";
    public static final String MODE_FILE = "100644";
    public static final String MODE_EXECUTABLE = "100755";
    public static final String MODE_SYMLINK = "120000";
    public static final String MODE_GITLINK = "160000";

    public enum Type { ADDED, MODIFIED, DELETED, RENAMED, COPIED, MODE_CHANGED, TYPE_CHANGED }

    public Change {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(oldPath, "oldPath");
        Objects.requireNonNull(oldMode, "oldMode");
        Objects.requireNonNull(newMode, "newMode");
        Objects.requireNonNull(symlinkTarget, "symlinkTarget");
        if ((type == Type.RENAMED || type == Type.COPIED) && oldPath.isEmpty()) {
            throw new IllegalArgumentException(type + " needs the old path: " + path);
        }
    }

    /** Every path this change writes or removes: both ends of a rename, only the new end of a copy. */
    public List<String> touchedPaths() {
        return type == Type.RENAMED ? List.of(oldPath.orElseThrow(), path) : List.of(path);
    }

    public boolean deleted() {
        return type == Type.DELETED;
    }

    public boolean symlink() {
        return newMode.equals(MODE_SYMLINK);
    }

    public boolean executable() {
        return newMode.equals(MODE_EXECUTABLE);
    }

    public boolean gitlink() {
        return newMode.equals(MODE_GITLINK);
    }

    @Override
    public String toString() {
        return type + " " + oldPath.map(old -> old + " -> ").orElse("") + path
                + (oldMode.equals(newMode) ? "" : " (" + oldMode + " -> " + newMode + ")");
    }
}
