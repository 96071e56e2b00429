package dev.ensemble.engine.report;

import dev.ensemble.engine.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes and reads {@code .ensemble/reports/<run>.md} and {@code .json}. Each file is written to a
 * temporary file beside it and moved into place, so a reader (or a crash) never sees half a report.
 */
public final class ReportWriter {
    private final Path folder;

    public ReportWriter(Path folder) {
        this.folder = folder;
    }

    /** The reports folder of a repository. */
    public static ReportWriter forRepository(Path repoRoot) {
        return new ReportWriter(repoRoot.resolve(".ensemble").resolve("reports"));
    }

    public Path folder() {
        return folder;
    }

    /** Writes both files; returns the markdown's path. */
    public Path write(RunReport report) {
        checkId(report.runId());
        try {
            Files.createDirectories(folder);
            AtomicFiles.write(folder.resolve(report.runId() + ".json"), ReportJson.write(report));
            return AtomicFiles.write(folder.resolve(report.runId() + ".md"), ReportMarkdown.render(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of run " + report.runId() + " in " + folder, e);
        }
    }

    public Path markdownPath(String runId) {
        checkId(runId);
        return folder.resolve(runId + ".md");
    }

    public Path jsonPath(String runId) {
        checkId(runId);
        return folder.resolve(runId + ".json");
    }

    /** A run's report, read back from its JSON; empty when there is none. */
    public Optional<RunReport> read(String runId) {
        Path json = jsonPath(runId);
        if (!Files.isRegularFile(json)) return Optional.empty();
        try {
            return Optional.of(ReportJson.read(Files.readString(json)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
    }

    /** Every readable report, newest first; a file that is not a report is passed over. */
    public List<RunReport> list() {
        if (!Files.isDirectory(folder)) return List.of();
        List<RunReport> reports = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    reports.add(ReportJson.read(Files.readString(file)));
                } catch (IOException | RuntimeException e) {
                    // not a report (or one from an incompatible version): runs lists what it can read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        reports.sort(Comparator.comparing(RunReport::startedAt).reversed().thenComparing(RunReport::runId));
        return reports;
    }

    // A run id names files: it must not walk out of the folder.
    private static void checkId(String runId) {
        if (runId == null || !runId.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || runId.contains("..")) {
            throw new IllegalArgumentException("not a run id: '" + runId + "'");
        }
    }
}
