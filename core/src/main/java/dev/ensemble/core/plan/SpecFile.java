package dev.ensemble.core.plan;

import java.util.Objects;

/**
 * A spec the run writes before any implementation starts.
 *
 * @param path    repository-relative, under {@code specs/}
 * @param content the file's text (or, from a terse planner, a description of it)
 */
public record SpecFile(String path, String content) {
    public SpecFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(content, "content");
    }
}
