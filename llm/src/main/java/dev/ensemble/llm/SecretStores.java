package dev.ensemble.llm;

import dev.ensemble.core.UserDirs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Picks the secrets store for this machine. */
public final class SecretStores {
    private SecretStores() {}

    /**
     * The macOS keychain on macOS; else {@code pass} when it is on {@code PATH} and its store is
     * set up (a {@code .gpg-id} in {@code $PASSWORD_STORE_DIR} or {@code ~/.password-store}: without
     * one, {@code pass insert} fails); else files under
     * {@code $XDG_CONFIG_HOME/ensemble/secrets/} (or {@code ~/.config/ensemble/secrets/}). Every
     * folder and program is found through {@code env} ({@code HOME}, {@code XDG_CONFIG_HOME},
     * {@code PATH}), so a test or a user can isolate it.
     */
    public static SecretStore choose(Map<String, String> env, SecretResolver.CommandRunner runner, boolean macOs) {
        if (macOs) return new KeychainSecretStore(runner);
        UserDirs dirs = new UserDirs(env);
        Path passStore = passStore(env, dirs);
        if (onPath("pass", env.get("PATH")) && Files.isRegularFile(passStore.resolve(".gpg-id"))) {
            return new PassSecretStore(passStore, runner);
        }
        return fileStore(dirs);
    }

    /** The file store of these folders, whatever else the machine has. */
    public static FileSecretStore fileStore(UserDirs dirs) {
        return new FileSecretStore(dirs.configDir().resolve("secrets"));
    }

    private static Path passStore(Map<String, String> env, UserDirs dirs) {
        String dir = env.get("PASSWORD_STORE_DIR");
        return dir != null && !dir.isBlank() ? Path.of(dir) : dirs.home().resolve(".password-store");
    }

    private static boolean onPath(String program, String path) {
        if (path == null || path.isBlank()) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return true;
        }
        return false;
    }
}
