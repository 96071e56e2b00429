package dev.ensemble.engine.judge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The test command a repository's build files imply, looked for in this order: Maven, Gradle, npm,
 * pytest, Go, Cargo. A wrapper script in the repository ({@code ./mvnw}, {@code ./gradlew}) is
 * preferred: it pins the build tool's version the project expects.
 */
final class TestCommands {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    // What `npm init` writes: a placeholder, not a test suite.
    private static final String NPM_PLACEHOLDER = "no test specified";

    private TestCommands() {}

    static Optional<String> detect(Path root) {
        if (Files.isRegularFile(root.resolve("pom.xml"))) {
            return Optional.of((Files.isRegularFile(root.resolve("mvnw")) ? "./mvnw" : "mvn") + " -q -B test");
        }
        if (Files.isRegularFile(root.resolve("build.gradle")) || Files.isRegularFile(root.resolve("build.gradle.kts"))) {
            return Optional.of((Files.isRegularFile(root.resolve("gradlew")) ? "./gradlew" : "gradle") + " test");
        }
        if (hasNpmTestScript(root.resolve("package.json"))) return Optional.of("npm test --silent");
        if (Files.isRegularFile(root.resolve("pyproject.toml")) || Files.isRegularFile(root.resolve("pytest.ini"))
                || Files.isRegularFile(root.resolve("setup.cfg")) || hasPythonTests(root.resolve("tests"))) {
            return Optional.of("python3 -m pytest -q");
        }
        if (Files.isRegularFile(root.resolve("go.mod"))) return Optional.of("go test ./...");
        if (Files.isRegularFile(root.resolve("Cargo.toml"))) return Optional.of("cargo test -q");
        return Optional.empty();
    }

    private static boolean hasNpmTestScript(Path packageJson) {
        if (!Files.isRegularFile(packageJson)) return false;
        try {
            JsonNode test = JSON.readTree(Files.readString(packageJson)).path("scripts").path("test");
            return test.isString() && !test.asString().isBlank() && !test.asString().contains(NPM_PLACEHOLDER);
        } catch (IOException | JacksonException e) {
            return false;  // an unreadable package.json has no test script we could run
        }
    }

    private static boolean hasPythonTests(Path tests) {
        if (!Files.isDirectory(tests)) return false;
        try (Stream<Path> files = Files.list(tests)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".py"));
        } catch (IOException e) {
            return false;
        }
    }
}
