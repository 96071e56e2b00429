package dev.ensemble.agents.builtin;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The task's owned paths as the builtin agent reads them, to refuse a write early and tell the model
 * why. An entry owns a path when it names it exactly, names a folder above it ({@code src/app} or
 * {@code src/app/}), or matches it as a glob ({@code src/**}, {@code **}{@code /*.java}, where a
 * leading {@code **}{@code /} also matches at the top). This is a courtesy to the model: the
 * Enforcer's own reading of the policy is what counts. No entries means no restriction here.
 */
final class OwnedPaths {
    private record Entry(String prefix, PathMatcher glob, PathMatcher topLevelGlob) {}

    private final List<String> raw;
    private final List<Entry> entries = new ArrayList<>();

    OwnedPaths(List<String> owned) {
        this.raw = List.copyOf(owned);
        for (String entry : owned) {
            String clean = entry.strip().replace('\\', '/');
            while (clean.startsWith("./")) clean = clean.substring(2);
            if (clean.isEmpty()) continue;
            String prefix = clean.endsWith("/") ? clean.substring(0, clean.length() - 1) : clean;
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + clean);
            PathMatcher top = clean.startsWith("**/") ? FileSystems.getDefault().getPathMatcher("glob:" + clean.substring(3)) : null;
            entries.add(new Entry(prefix, glob, top));
        }
    }

    boolean unrestricted() {
        return entries.isEmpty();
    }

    List<String> entries() {
        return raw;
    }

    /** {@code relative} uses forward slashes and is relative to the workspace root. */
    boolean owns(String relative) {
        if (entries.isEmpty()) return true;
        Path path = Path.of(relative);
        for (Entry e : entries) {
            if (relative.equals(e.prefix()) || relative.startsWith(e.prefix() + "/")) return true;
            if (e.glob().matches(path)) return true;
            if (e.topLevelGlob() != null && e.topLevelGlob().matches(path)) return true;
        }
        return false;
    }
}
