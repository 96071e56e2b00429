package dev.ensemble.agents.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds an agent's executable: explicit path, extra folders, PATH, then the install cache. */
final class BinaryLocator {
    private BinaryLocator() {}

    static Optional<Path> find(String agent, String executable, CliSettings settings) {
        Optional<Path> explicit = settings.explicitBinary(agent);
        if (explicit.isPresent()) return explicit.filter(BinaryLocator::runnable);
        for (Path dir : candidates(agent, settings)) {
            Path file = dir.resolve(executable);
            if (runnable(file)) return Optional.of(file.toAbsolutePath());
        }
        return Optional.empty();
    }

    /** Where a binary was looked for, for the "not found" reason. */
    static List<Path> candidates(String agent, CliSettings settings) {
        List<Path> dirs = new ArrayList<>(settings.searchDirs());
        dirs.addAll(settings.pathDirs());
        dirs.addAll(settings.cacheBinDirs(agent));
        return dirs;
    }

    private static boolean runnable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
