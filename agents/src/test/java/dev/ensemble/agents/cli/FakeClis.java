package dev.ensemble.agents.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/** The fake executables and recorded outputs of src/test/resources/fake-clis, made runnable in a temp folder. */
final class FakeClis {
    private FakeClis() {}

    /** Copies {@code fake-clis/<resource>} to {@code dir/<as>}, executable (resource copies lose the bit). */
    static Path install(Path dir, String resource, String as) {
        try (InputStream in = FakeClis.class.getResourceAsStream("/fake-clis/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no fake CLI " + resource);
            Files.createDirectories(dir);
            Path target = dir.resolve(as);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A recorded stdout sample from {@code fake-clis/samples}. */
    static List<String> sample(String name) {
        try (InputStream in = FakeClis.class.getResourceAsStream("/fake-clis/samples/" + name)) {
            if (in == null) throw new IllegalArgumentException("no sample " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fake CLI that prints a recorded sample and exits with {@code exitCode}; its arguments go to {@code <as>.args}. */
    static Path replaying(Path dir, String sample, String as, int exitCode) {
        try {
            Path copy = dir.resolve(as + ".sample");
            Files.createDirectories(dir);
            Files.write(copy, sample(sample));
            Path script = dir.resolve(as);
            // The arguments are kept beside it, for tests of what the adapter asked for.
            Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + dir.resolve(as + ".args") + "'\ncat '" + copy + "'\nexit " + exitCode + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fake CLI whose {@code --version} appends a line to {@code counter} (so a test can tell how
     * often it was run), waits {@code sleepSeconds} and prints {@code version}.
     */
    static Path counting(Path dir, String as, Path counter, String version, int sleepSeconds) {
        try {
            Files.createDirectories(dir);
            Path script = dir.resolve(as);
            Files.writeString(script, "#!/bin/sh\necho \"$@\" >> '" + counter + "'\n"
                    + (sleepSeconds > 0 ? "sleep " + sleepSeconds + "\n" : "")
                    + "if [ \"$1\" = \"--version\" ]; then echo '" + version + " (Fake CLI)'; exit 0; fi\n"
                    + "echo 'only --version is faked' >&2\nexit 1\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many times a {@link #counting} CLI ran. */
    static long runs(Path counter) {
        try {
            return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Settings for tests: homes under {@code tmp}, nothing found on PATH or in the real cache unless
     * given, detections remembered in {@code tmp/detected.json} (never the user's cache).
     */
    static CliSettings settings(Path tmp) {
        return CliSettings.defaults().withHomeRoot(tmp.resolve("homes")).withCacheDir(tmp.resolve("no-cache"))
                .withKillGrace(Duration.ofMillis(300)).withVersionTimeout(Duration.ofSeconds(10))
                .withDetectionCache(tmp.resolve("detected.json")).withPathDirs(List.of());
    }
}
