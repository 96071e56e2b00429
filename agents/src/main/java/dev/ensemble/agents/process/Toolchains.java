package dev.ensemble.agents.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a sandboxed child may read under the (hidden) home folder: the folders of its PATH and their
 * installation roots (a node installed by nvm keeps its modules next to its bin folder), and the
 * usual package caches, so tests run offline from what is already downloaded. All read-only: a
 * tool that insists on writing its cache gets a private, discarded home-folder tmpfs instead.
 */
public final class Toolchains {
    /** Package caches and toolchain homes, relative to the home folder. */
    static final List<String> CACHES = List.of(".m2", ".gradle", ".npm", ".cache", ".cargo", ".rustup", "go", ".nvm",
            ".local/lib", ".local/bin", ".pyenv", ".sdkman", ".bun", ".deno", ".volta", ".pnpm-store");

    private Toolchains() {}

    /** The user's home folder as the JVM sees it ({@code user.home}); null when unknown. */
    static Path userHome() {
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home).toAbsolutePath().normalize();
    }

    /** The readable folders for a child with this environment's PATH. */
    public static List<Path> readable(Map<String, String> environment) {
        List<Path> out = new ArrayList<>();
        String path = environment.getOrDefault("PATH", "");
        for (String entry : path.split(":")) {
            if (entry.isBlank() || !entry.startsWith("/")) continue;
            Path dir = Path.of(entry).normalize();
            out.add(dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null
                    ? dir.getParent() : dir);
        }
        Path home = userHome();
        if (home != null) {
            for (String cache : CACHES) {
                Path p = home.resolve(cache);
                if (Files.isDirectory(p)) out.add(p);
            }
        }
        return out;
    }
}
