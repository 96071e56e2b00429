package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
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

/** Each file under {@code bad-configs/} is loaded as the user's config; the error must name file, line and key. */
class BadConfigTest {
    @TempDir Path dir;

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("syntax-error.yaml", 4, "aliases.team[2]", "YAML syntax error: expected ',' or ']'"),
                Arguments.of("bad-indentation.yaml", 4, "models.my-model", "check the indentation"),
                Arguments.of("wrong-type.yaml", 7, "models.my-model.context_window",
                        "expected a whole number of tokens from 1 to 2147483647, got \"lots\""),
                Arguments.of("negative-price.yaml", 4, "models.gpt-5.pricing.input",
                        "expected a number ≥ 0 (USD per million tokens), got -1.25"),
                Arguments.of("unknown-top-level-key.yaml", 2, "modles",
                        "unknown top-level key 'modles' (did you mean 'models'?)"),
                Arguments.of("unknown-model-field.yaml", 3, "models.gpt-5.context_windw",
                        "unknown key 'context_windw' (did you mean 'context_window'?)"),
                Arguments.of("alias-unknown-model.yaml", 2, "aliases.team-coder[1]",
                        "expected a model id or alias, got \"gpt-6\", which is neither (did you mean"),
                Arguments.of("alias-cycle.yaml", 2, "aliases.first",
                        "found a cycle: first -> second -> third -> first"),
                Arguments.of("unknown-provider.yaml", 5, "models.my-model.provider",
                        "got \"myvlm\" (did you mean 'myvllm'?)"),
                Arguments.of("bad-duration.yaml", 3, "timeouts.total",
                        "expected a duration such as 500ms, 10s, 2m or 1h, got \"10 minutes\""),
                Arguments.of("raw-api-key.yaml", 3, "providers.openai.api_key",
                        "expected a secret reference such as env:OPENAI_API_KEY"),
                Arguments.of("raw-store-password.yaml", 4, "store.password", "got a raw value (not shown"),
                Arguments.of("bad-wire.yaml", 3, "providers.myvllm.wire",
                        "expected one of openai-chat, openai-responses, anthropic, gemini, ollama, got \"grpc\""),
                Arguments.of("bad-max-concurrency.yaml", 5, "providers.myvllm.max_concurrency",
                        "expected a whole number ≥ 1: calls in flight at once, got 0"),
                Arguments.of("bad-as-of.yaml", 5, "models.gpt-5.pricing.as_of",
                        "expected a date such as 2026-11-01 (YYYY-MM-DD), got \"2026-13-45\""),
                Arguments.of("score-out-of-range.yaml", 5, "models.gpt-5.capabilities.coding.score",
                        "expected a number from 0 to 10, got 11"),
                Arguments.of("duplicate-key.yaml", 4, "timeouts.total", "duplicate key (first given at line 2)"),
                Arguments.of("missing-field.yaml", 2, "models.my-model.wire_name",
                        "missing, expected the model name the provider's API expects"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void errorNamesFileLineAndKey(String file, int line, String key, String message) throws IOException {
        Path config = copy(file);

        List<ConfigError> errors = loadErrors(config);

        assertThat(errors).as(errors.toString())
                .anySatisfy(error -> {
                    assertThat(error.source()).isEqualTo(config.toString());
                    assertThat(error.line()).isEqualTo(line);
                    assertThat(error.key()).isEqualTo(key);
                    assertThat(error.message()).contains(message);
                });
        assertThat(errors).allSatisfy(error -> assertThat(error.source()).isEqualTo(config.toString()));
    }

    @Test
    void rawApiKeyIsNeverRepeated() throws IOException {
        Path config = copy("raw-api-key.yaml");

        assertThatThrownBy(() -> new ConfigLoader(config, null, Map.of()).load())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Zx81Qm4T").doesNotContain("sk-proj"))
                .satisfies(e -> assertThat(e.toString()).doesNotContain("Zx81Qm4T"));
    }

    @Test
    void rawPasswordIsNeverRepeated() throws IOException {
        Path config = copy("raw-store-password.yaml");

        assertThatThrownBy(() -> new ConfigLoader(config, null, Map.of()).load())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").contains("store.password"));
    }

    @Test
    void everyErrorInOneFileIsReported() throws IOException {
        Path config = copy("multiple-errors.yaml");

        List<ConfigError> errors = loadErrors(config);

        assertThat(errors).extracting(ConfigError::line, ConfigError::key).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, "local_only"),
                org.assertj.core.groups.Tuple.tuple(4, "timeouts.idle"),
                org.assertj.core.groups.Tuple.tuple(7, "models.gpt-5.pricing.input"),
                org.assertj.core.groups.Tuple.tuple(9, "models.claude-sonnet-4-5.tools"),
                org.assertj.core.groups.Tuple.tuple(11, "aliases.team[1]"),
                org.assertj.core.groups.Tuple.tuple(13, "circuit_breaker.failure_threshold"));
        assertThat(errors.get(0).message()).isEqualTo("expected true or false, got \"maybe\"");
        assertThat(errors.get(5).message()).isEqualTo("expected a whole number from 1 to 2147483647, got 0");
    }

    @Test
    void messageListsOneErrorPerLineInTheDocumentedFormat() throws IOException {
        Path config = copy("multiple-errors.yaml");

        assertThatThrownBy(() -> new ConfigLoader(config, null, Map.of()).load())
                .satisfies(e -> assertThat(e.getMessage().lines().toList()).hasSize(6)
                        .first().isEqualTo(config + ":2: local_only: expected true or false, got \"maybe\""));
    }

    private Path copy(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = BadConfigTest.class.getResourceAsStream("/bad-configs/" + name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            Files.copy(in, target);
        }
        return target;
    }

    private List<ConfigError> loadErrors(Path userConfig) {
        ConfigLoader loader = new ConfigLoader(userConfig, dir.resolve("absent.yaml"), Map.of());
        try {
            loader.load();
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected " + userConfig.getFileName() + " to be rejected");
    }
}
