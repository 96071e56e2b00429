package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.io.BoundedText;
import dev.ensemble.core.io.ParseLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.exc.StreamConstraintsException;

/**
 * Configuration that used to kill the process (an alias bomb ran for minutes in gigabytes, 5,000
 * nested brackets overflowed the stack, a symlink to /dev/zero ran out of memory) or was quietly
 * clamped: each is one error that names the limit, the file and, where known, the line.
 */
class ParseLimitsTest {
    @TempDir Path dir;

    static String aliasBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            String previous = "*" + (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, previous))).append("]\n");
        }
        return yaml.toString();
    }

    static Stream<Arguments> overLimits() {
        String deepAnchor = "deep: &deep " + "[".repeat(40) + "]".repeat(40) + "\n";
        return Stream.of(
                Arguments.of("alias bomb", aliasBomb(), 6, "",
                        "over the limit of 200000 values once aliases (*name) are expanded; nothing was read from this file"),
                Arguments.of("many aliases to one list", "a: &a [1]\nb: [" + String.join(",", java.util.Collections.nCopies(101, "*a")) + "]\n",
                        2, "", "over the limit of 100 aliases (*name) to lists or mappings"),
                Arguments.of("5,000 nested brackets", "x: " + "[".repeat(5000) + "]".repeat(5000) + "\n", 1, "",
                        "over the limit of 64 levels of lists and mappings nested in each other"),
                Arguments.of("depth through an alias", deepAnchor + "use: " + "[".repeat(30) + "*deep" + "]".repeat(30) + "\n", 2, "",
                        "over the limit of 64 levels"),
                Arguments.of("huge context window", "models:\n  gpt-5:\n    context_window: 99999999999999999999999\n", 3,
                        "models.gpt-5.context_window",
                        "expected a whole number of tokens from 1 to 2147483647, got 99999999999999999999999"),
                Arguments.of("number of 200 digits", "retry:\n  max_attempts: " + "9".repeat(200) + "\n", 2, "retry.max_attempts",
                        "over the limit of 100 characters for a number, got one of 200"),
                Arguments.of("infinite price", "models:\n  gpt-5:\n    pricing: { input: 1e999 }\n", 3, "models.gpt-5.pricing.input",
                        "expected a finite number, got 1e999"),
                Arguments.of("max_concurrency past int", "providers:\n  openai: { max_concurrency: 4294967296 }\n", 2,
                        "providers.openai.max_concurrency", "got 4294967296"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overLimits")
    void eachLimitIsOneErrorAtItsLine(String name, String yaml, int line, String key, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("ensemble.yaml"), yaml);

        List<ConfigError> errors = errors(file);

        assertThat(errors).as(errors.toString()).hasSize(1).first().satisfies(error -> {
            assertThat(error.source()).isEqualTo(file.toString());
            assertThat(error.line()).isEqualTo(line);
            assertThat(error.key()).isEqualTo(key);
            assertThat(error.message()).contains(message);
        });
    }

    @Test
    void aSymlinkToDevZeroIsRefusedUnread() throws IOException {
        Path file = Files.createSymbolicLink(dir.resolve("ensemble.yaml"), Path.of("/dev/zero"));

        try {
            assertThat(errors(file)).singleElement().hasToString(file
                    + ": is not a regular file (a symbolic link to a device, FIFO or socket); only a plain file is read");
        } finally {
            Files.delete(file);  // @TempDir warns about links that leave it
        }
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path file = dir.resolve("ensemble.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        assertThat(errors(file)).singleElement().satisfies(e -> assertThat(e.message()).startsWith("is not a regular file"));
    }

    @Test
    void aFolderIsRefused() throws IOException {
        Path file = Files.createDirectories(dir.resolve("ensemble.yaml"));

        assertThat(errors(file)).singleElement().satisfies(e -> assertThat(e.message()).startsWith("is not a regular file (a folder)"));
    }

    @Test
    void aFileOverOneMebibyteIsRefusedUnparsed() throws IOException {
        Path file = Files.writeString(dir.resolve("ensemble.yaml"), "#".repeat((int) ParseLimits.MAX_FILE_BYTES) + "\n");

        assertThat(errors(file)).singleElement().hasToString(file + ": is 1.0 MiB (1048577 bytes), over the limit of 1 MiB for this file");
    }

    @Test
    void bytesThatAreNotUtf8AreNamedWithTheirOffset() throws IOException {
        Path file = Files.write(dir.resolve("ensemble.yaml"), new byte[] {'a', ':', ' ', (byte) 0xC3, '(', '\n'});

        assertThat(errors(file)).singleElement().hasToString(file + ": is not UTF-8 text (an invalid byte at offset 3)");
    }

    @Test
    void aTooLongNumberInAVariableNamesTheVariable() {
        assertThatThrownBy(() -> new ConfigLoader(null, null, Map.of("ENSEMBLE_RETRY__MAX_ATTEMPTS", "1".repeat(150))).load())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement().hasToString(
                        "environment variable ENSEMBLE_RETRY__MAX_ATTEMPTS: retry.max_attempts: over the limit of 100 "
                                + "characters for a number, got one of 150"));
    }

    @Test
    void jacksonParsersOfUserFilesHaveTheSameLimits() {
        String deep = "x: " + "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> ParseLimits.yaml(ParseLimits.MAX_FILE_BYTES).readTree(deep))
                .isInstanceOf(StreamConstraintsException.class).hasMessageContaining("maximum allowed (64");
        assertThatThrownBy(() -> ParseLimits.json(ParseLimits.MAX_FILE_BYTES).readTree("{\"x\": 1" + "0".repeat(200) + "}"))
                .isInstanceOf(StreamConstraintsException.class).hasMessageContaining("Number value length");
        assertThatThrownBy(() -> ParseLimits.json(10).readTree("{\"x\": \"more than ten bytes\"}"))
                .isInstanceOf(StreamConstraintsException.class).hasMessageContaining("Document length");
    }

    @Test
    void boundedTextReadsAPlainFileWholeAndDropsABom() throws IOException {
        Path file = Files.write(dir.resolve("a.yaml"), "\uFEFFa: é\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(BoundedText.read(file, 100)).isEqualTo("a: é\n");
        assertThat(BoundedText.size(1536)).isEqualTo("1.5 KiB");
    }

    private static List<ConfigError> errors(Path repoFile) {
        try {
            new ConfigLoader(null, repoFile, Map.of()).load();
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected the configuration to be refused");
    }
}
