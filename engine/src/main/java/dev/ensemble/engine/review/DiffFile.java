package dev.ensemble.engine.review;

import java.util.List;
import java.util.Objects;

/**
 * One file's part of a diff: the lines before its first hunk ({@code diff --git}, index, mode,
 * {@code ---}/{@code +++}) and its hunks. A binary file or a pure rename has a header only.
 *
 * @param path the file's path in the new version (the old one for a deletion)
 */
public record DiffFile(String path, String header, List<Hunk> hunks) {
    public DiffFile {
        Objects.requireNonNull(path, "path");
        header = header == null ? "" : header;
        hunks = List.copyOf(hunks);
    }

    public String text() {
        StringBuilder text = new StringBuilder(header);
        for (Hunk hunk : hunks) text.append(hunk.text());
        return text.toString();
    }
}
