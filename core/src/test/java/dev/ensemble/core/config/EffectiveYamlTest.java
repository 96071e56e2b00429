package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EffectiveYamlTest {
    private static final String OPENAI_KEY = "sk-proj-Qm4TfW2vLr9KpB3nYc7HdJ6sGa5EZx81";
    private static final String PASSWORD = "correct-Horse-battery-9";
    private static final String GOOGLE_KEY = "AIzaSyD4f8Kx0-Qm2Lr7Tw9Vb1Nc3Hd5Jf6Gk8Ps";
    private static final String TELEGRAM_TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0";
    private static final String ENV_PASSWORD = "pg-Secret-0987654321";

    @TempDir Path dir;

    @Test
    void plantedRawSecretsNeverAppear() throws IOException {
        Path user = Files.writeString(dir.resolve("config.yaml"), """
                providers:
                  openai: { api_key: "%s" }
                  myvllm: { wire: openai-chat, base_url: "http://gpu-box:8000/v1", api_key: "env:VLLM_KEY" }
                store: { url: "jdbc:postgresql://db/ensemble", user: ensemble, password: "%s" }
                telegram: { bot_token: "%s", chat_id: 42 }
                notifications: { webhook: { header: "%s" } }
                """.formatted(OPENAI_KEY, PASSWORD, TELEGRAM_TOKEN, GOOGLE_KEY));
        ConfigLoader loader = new ConfigLoader(user, null, Map.of("ENSEMBLE_STORE__PASSWORD", ENV_PASSWORD));

        String yaml = loader.effectiveYaml();

        assertThat(yaml).doesNotContain(OPENAI_KEY, PASSWORD, TELEGRAM_TOKEN, GOOGLE_KEY, ENV_PASSWORD)
                .doesNotContain("Qm4TfW2v", "battery", "AAHfiqks", "AIzaSy", "0987654321")
                .contains("env:VLLM_KEY", "env:ANTHROPIC_API_KEY", "jdbc:postgresql://db/ensemble", "chat_id: 42");
        assertThat(yaml.lines().filter(l -> l.contains("****")).count()).isEqualTo(4);
    }

    @Test
    void showsTheMergeOfAllLayersWithTheirSourcesAndReadsBackAsYaml() throws IOException {
        Path user = Files.writeString(dir.resolve("config.yaml"), "default_model: fast-model\ntimeouts: { total: 5m }\n");
        Path repo = Files.writeString(dir.resolve("ensemble.yaml"), "timeouts: { idle: 20s }\n");
        ConfigLoader loader = new ConfigLoader(user, repo, Map.of("ENSEMBLE_DEFAULT_MODEL", "gpt-5"));

        String yaml = loader.effectiveYaml();

        assertThat(yaml).startsWith("# ensemble configuration merged from (later layers win):\n#   built-in catalog")
                .contains("#   " + user, "#   " + repo, "ENSEMBLE_DEFAULT_MODEL")
                .contains("default_model: gpt-5", "total: 5m", "idle: 20s", "claude-sonnet-4-5-20250929");
        // what is shown can be fed back in as a config file
        Path roundTrip = Files.writeString(dir.resolve("round-trip.yaml"), yaml);
        assertThat(new ConfigLoader(roundTrip, null, Map.of()).load().defaultModel()).isEqualTo("gpt-5");
    }
}
