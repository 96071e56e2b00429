package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
    @Test
    void durationsParseAndFormat() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> Durations.parse("10")).hasMessageContaining("such as 500ms");
        assertThatThrownBy(() -> Durations.parse("ten seconds")).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(Duration.ofMillis(500), Duration.ofSeconds(90), Duration.ofMinutes(10), Duration.ofHours(2)))
                .extracting(Durations::format).containsExactly("500ms", "90s", "10m", "2h");
    }

    @Test
    void configErrorFormatsWithAndWithoutLine() {
        assertThat(new ConfigError("/home/u/.config/ensemble/config.yaml", 12, "models.gpt-5.pricing.input",
                "expected a number ≥ 0, got \"cheap\""))
                .hasToString("/home/u/.config/ensemble/config.yaml:12: models.gpt-5.pricing.input: expected a number ≥ 0, got \"cheap\"");
        assertThat(new ConfigError("environment variable ENSEMBLE_X", 0, "x", "unknown"))
                .hasToString("environment variable ENSEMBLE_X: x: unknown");
        assertThatThrownBy(() -> new ConfigException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void suggestsOnlyCloseNames() {
        assertThat(Suggest.closest("modles", List.of("models", "aliases"))).contains("models");
        assertThat(Suggest.closest("timout", List.of("timeouts", "retry"))).contains("timeouts");
        assertThat(Suggest.closest("banana", List.of("models", "aliases"))).isEmpty();
    }

    @Test
    void recognisesRawKeysButNotReferencesOrModelNames() {
        assertThat(RawSecrets.looksLikeKey("sk-ant-api03-abcdefghijklmnopqrstuvwxyz")).isTrue();
        assertThat(RawSecrets.looksLikeKey("AIzaSyD4f8Kx0-Qm2Lr7Tw9Vb1Nc3Hd5Jf6Gk8Ps")).isTrue();
        assertThat(RawSecrets.looksLikeKey("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")).isTrue();
        assertThat(RawSecrets.looksLikeKey("env:OPENAI_API_KEY")).isFalse();
        assertThat(RawSecrets.looksLikeKey("Qwen/Qwen3-Coder-30B-A3B-Instruct")).isFalse();
        assertThat(RawSecrets.looksLikeKey("claude-sonnet-4-5-20250929")).isFalse();
        assertThat(RawSecrets.looksLikeKey("deepseek-coder-v2-lite-instruct-q4_K_M")).isFalse();
        assertThat(RawSecrets.mustMask(KeyPath.of("store", "password"), "hunter2")).isTrue();
        assertThat(RawSecrets.mustMask(KeyPath.of("store", "password"), "pass:db/ensemble")).isFalse();
    }
}
