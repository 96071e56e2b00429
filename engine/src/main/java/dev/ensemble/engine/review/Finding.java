package dev.ensemble.engine.review;

import java.util.List;
import java.util.Objects;

/**
 * One problem a review found.
 *
 * @param file    the path as the diff names it (relative to the repository root)
 * @param line    the first line it concerns in the new version of the file (0: the file as a whole)
 * @param endLine the last line, {@code line} when it is one line
 * @param models  the models that raised it, in the order they did
 */
public record Finding(Severity severity, String file, int line, int endLine, String description, String recommendation,
                      List<String> models) {
    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        description = description == null ? "" : description.strip();
        recommendation = recommendation == null ? "" : recommendation.strip();
        models = List.copyOf(models);
        line = Math.max(0, line);
        endLine = Math.max(line, endLine);
    }

    /** "src/A.java:12" or "src/A.java:12-14" (or the bare path for a whole-file finding). */
    public String location() {
        if (line == 0) return file;
        return endLine > line ? file + ":" + line + "-" + endLine : file + ":" + line;
    }
}
