package dev.ensemble.engine.review;

import java.util.List;

/**
 * A part of a diff small enough for one request: whole files where they fit, else a file's header
 * with some of its hunks.
 *
 * @param index  1-based
 * @param of     how many parts the diff was cut into
 * @param files  the paths it touches, in diff order
 * @param tokens the estimated tokens of {@code text}
 */
public record DiffChunk(int index, int of, String text, List<String> files, int tokens) {
    public DiffChunk {
        files = List.copyOf(files);
    }
}
