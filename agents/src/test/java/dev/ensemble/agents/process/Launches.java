package dev.ensemble.agents.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a launch to its end in tests: merged output, exit code, and what close() had to kill. */
final class Launches {
    record Result(int exitCode, String output, List<Long> killed) {}

    static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8");

    private Launches() {}

    static Result run(Launcher launcher, LaunchSpec spec, Duration timeout) throws IOException, InterruptedException {
        try (Launch launch = launcher.start(spec.withMergedStderr())) {
            byte[][] out = new byte[1][];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out[0] = launch.stdout().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            boolean exited = launch.waitFor(timeout);
            int code = exited ? launch.exitCode() : -1;
            launch.close();
            reader.join(Duration.ofSeconds(5));
            return new Result(code, out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8), launch.killed());
        }
    }

    static List<String> sh(String script) {
        return List.of("/bin/sh", "-c", script);
    }
}
