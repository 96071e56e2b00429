package dev.ensemble.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir Path dir;

    private Path user() {
        return dir.resolve("user/config.yaml");
    }

    private Path repo() {
        return dir.resolve("repo/ensemble.yaml");
    }

    private Path write(Path file, String yaml) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }

    private EnsembleConfig load(Map<String, String> env) {
        return new ConfigLoader(user(), repo(), env).load();
    }

    @Test
    void withNoFilesTheBuiltinsAndDefaultsApply() {
        EnsembleConfig config = load(Map.of());

        assertThat(config.defaultModel()).isEqualTo("coding-model");
        assertThat(config.localOnly()).isFalse();
        assertThat(config.timeouts()).isEqualTo(dev.ensemble.core.Timeouts.DEFAULT);
        assertThat(config.retry()).isEqualTo(dev.ensemble.core.RetrySettings.DEFAULT);
        assertThat(config.breaker()).isEqualTo(dev.ensemble.core.BreakerSettings.DEFAULT);
        assertThat(config.store()).isEqualTo(StoreSettings.DEFAULT);
        assertThat(config.catalog()).isEqualTo(BuiltinCatalog.load());
        assertThat(config.sources()).containsExactly(BuiltinCatalog.SOURCE);
    }

    @Test
    void userThenRepoThenEnvironmentEachWin() throws IOException {
        write(user(), """
                default_model: fast-model
                timeouts: { total: 5m, idle: 30s }
                retry: { max_attempts: 4 }
                """);
        write(repo(), """
                default_model: research-model
                timeouts: { total: 7m }
                """);

        EnsembleConfig fromFiles = load(Map.of());
        assertThat(fromFiles.defaultModel()).isEqualTo("research-model");
        assertThat(fromFiles.timeouts().total()).isEqualTo(Duration.ofMinutes(7));
        assertThat(fromFiles.timeouts().idle()).isEqualTo(Duration.ofSeconds(30)); // user's, untouched by repo
        assertThat(fromFiles.timeouts().connect()).isEqualTo(Duration.ofSeconds(10)); // default
        assertThat(fromFiles.retry().maxAttempts()).isEqualTo(4);
        assertThat(fromFiles.sources()).containsExactly(BuiltinCatalog.SOURCE, user().toString(), repo().toString());

        EnsembleConfig withEnv = load(Map.of("ENSEMBLE_DEFAULT_MODEL", "gpt-5", "ENSEMBLE_TIMEOUTS__TOTAL", "90s"));
        assertThat(withEnv.defaultModel()).isEqualTo("gpt-5");
        assertThat(withEnv.timeouts().total()).isEqualTo(Duration.ofSeconds(90));
        assertThat(withEnv.timeouts().idle()).isEqualTo(Duration.ofSeconds(30));
        assertThat(withEnv.sources()).last().asString()
                .contains("ENSEMBLE_DEFAULT_MODEL").contains("ENSEMBLE_TIMEOUTS__TOTAL");
    }

    @Test
    void theGatewaysOperatorTokenIsNotASetting() throws IOException {
        EnsembleConfig withToken = load(Map.of("ENSEMBLE_TOKEN", "operator-secret-8d2f", "ENSEMBLE_DEFAULT_MODEL", "gpt-5"));
        assertThat(withToken.defaultModel()).isEqualTo("gpt-5");
        assertThat(withToken.sources()).last().asString().doesNotContain("ENSEMBLE_TOKEN").doesNotContain("operator-secret-8d2f");
    }

    @Test
    void theVariablesOfCiAndTheLauncherAreNotSettings() throws IOException {
        // .ci/run exports ENSEMBLE_REQUIRE_SANDBOX; every sandboxed child carries ENSEMBLE_LAUNCH
        EnsembleConfig loaded = load(Map.of("ENSEMBLE_REQUIRE_SANDBOX", "1", "ENSEMBLE_LAUNCH", "123-1-abc",
                "ENSEMBLE_GATEWAY_CLIENTS_CACHE", "/tmp/c", "ENSEMBLE_DEFAULT_MODEL", "gpt-5"));
        assertThat(loaded.defaultModel()).isEqualTo("gpt-5");
    }

    @Test
    void aPartialModelOverrideMergesOverTheBuiltinEntry() throws IOException {
        write(user(), """
                models:
                  gpt-5:
                    pricing: { input: 2.5 }
                    capabilities: { coding: { score: 9.9, benchmark: "our own eval" } }
                """);

        ModelSpec gpt5 = load(Map.of()).catalog().model("gpt-5").orElseThrow();
        ModelSpec builtin = BuiltinCatalog.load().model("gpt-5").orElseThrow();

        assertThat(gpt5.pricing().inputPerMtok()).isEqualTo(2.5);
        assertThat(gpt5.pricing().outputPerMtok()).isEqualTo(builtin.pricing().outputPerMtok());
        assertThat(gpt5.pricing().asOf()).isEqualTo(builtin.pricing().asOf());
        assertThat(gpt5.wireName()).isEqualTo("gpt-5");
        assertThat(gpt5.contextWindow()).isEqualTo(builtin.contextWindow());
        assertThat(gpt5.capability(dev.ensemble.core.TaskKind.CODING).orElseThrow().score()).isEqualTo(9.9);
        assertThat(gpt5.capability(dev.ensemble.core.TaskKind.PLANNING)).isEqualTo(builtin.capability(dev.ensemble.core.TaskKind.PLANNING));
    }

    @Test
    void aUserProviderAndModelAndAliasCanBeAddedAndAliasChainsReplaceWhole() throws IOException {
        write(user(), """
                providers:
                  myvllm: { wire: openai-chat, base_url: "http://gpu-box:8000/v1", api_key: "env:VLLM_KEY", local: true,
                    max_concurrency: 2 }
                models:
                  my-model:
                    provider: myvllm
                    wire_name: Qwen/Qwen3-Coder-30B
                    family: qwen
                    context_window: 131072
                    max_output: 8192
                    tokens_per_second: 80
                    tools: true
                    pricing: { input: 0, output: 0, source: self-hosted, as_of: 2026-11-01 }
                aliases:
                  team-coder: [my-model, coding-model]
                """);
        write(repo(), """
                aliases:
                  coding-model: [gpt-5, my-model]
                """);

        var catalog = load(Map.of()).catalog();

        assertThat(catalog.provider("myvllm").orElseThrow()).satisfies(p -> {
            assertThat(p.wire()).isEqualTo(WireProtocol.OPENAI_CHAT);
            assertThat(p.apiKey()).contains(new SecretRef.Env("VLLM_KEY"));
            assertThat(p.local()).isTrue();
            assertThat(p.maxConcurrency()).isEqualTo(2);
        });
        assertThat(catalog.provider("openai").orElseThrow().maxConcurrency()).as("no limit unless set").isZero();
        ModelSpec mine = catalog.model("my-model").orElseThrow();
        assertThat(mine.local()).as("inherits the provider's local flag").isTrue();
        assertThat(mine.pricing().cachedInputPerMtok()).isZero();
        assertThat(catalog.aliases().get("coding-model")).containsExactly("gpt-5", "my-model");
        assertThat(catalog.resolve("team-coder")).extracting(ModelSpec::id).containsExactly("my-model", "gpt-5");
    }

    @Test
    void environmentVariablesMapToNestedKeysAndAreReadAsYamlScalars() {
        Map<String, String> env = Map.of(
                "ENSEMBLE_LOCAL_ONLY", "true",
                "ENSEMBLE_RETRY__MAX_ATTEMPTS", "7",
                "ENSEMBLE_RETRY__JITTER", "0.5",
                "ENSEMBLE_CIRCUIT_BREAKER__OPEN_FOR", "45s",
                "ENSEMBLE_STORE__URL", "jdbc:postgresql://db.internal:5432/ensemble",
                "ENSEMBLE_STORE__PASSWORD", "env:PGPASSWORD",
                "ENSEMBLE_PROVIDERS__OPENAI__BASE_URL", "http://127.0.0.1:9999/v1");

        EnsembleConfig config = load(env);

        assertThat(config.localOnly()).isTrue();
        assertThat(config.retry().maxAttempts()).isEqualTo(7);
        assertThat(config.retry().jitter()).isEqualTo(0.5);
        assertThat(config.breaker().openFor()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.store().isPostgres()).isTrue();
        assertThat(config.store().password()).contains(new SecretRef.Env("PGPASSWORD"));
        assertThat(config.catalog().provider("openai").orElseThrow().baseUrl()).isEqualTo("http://127.0.0.1:9999/v1");
    }

    @Test
    void anUnknownEnvironmentVariableIsAnErrorNamingIt() {
        assertThatThrownBy(() -> load(Map.of("ENSEMBLE_TIMEOUTS__TOTL", "5m", "ENSEMBLE_NONSENSE", "1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactlyInAnyOrder(
                        new ConfigError("environment variable ENSEMBLE_TIMEOUTS__TOTL", 0, "timeouts.totl",
                                "unknown key 'totl' (did you mean 'total'?)"),
                        new ConfigError("environment variable ENSEMBLE_NONSENSE", 0, "nonsense",
                                "unknown top-level key 'nonsense' (expected one of default_model, local_only, providers, "
                                        + "models, aliases, timeouts, retry, circuit_breaker, store, roles, routing, budget, "
                                        + "policy, gateway, approvals, notifications, agents, pipelines, telemetry, telegram, server)")));
    }

    @Test
    void aBadEnvironmentValueNamesTheVariableWithoutALine() {
        assertThatThrownBy(() -> load(Map.of("ENSEMBLE_RETRY__MAX_ATTEMPTS", "lots")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
                        .hasToString("environment variable ENSEMBLE_RETRY__MAX_ATTEMPTS: retry.max_attempts: "
                                + "expected a whole number from 1 to 1000, got \"lots\""));
    }

    @Test
    void nonEnsembleVariablesAreIgnored() {
        assertThat(load(Map.of("PATH", "/usr/bin", "ENSEMBLEX", "1", "HOME", "/home/x")).sources())
                .containsExactly(BuiltinCatalog.SOURCE);
    }

    @Test
    void ollamaHostSetsTheBuiltinOllamaBaseUrlButAFileStillWins() throws IOException {
        assertThat(load(Map.of("OLLAMA_HOST", "0.0.0.0")).catalog().provider("ollama").orElseThrow().baseUrl())
                .isEqualTo("http://127.0.0.1:11434");
        assertThat(load(Map.of("OLLAMA_HOST", "gpu-box:11500")).catalog().provider("ollama").orElseThrow().baseUrl())
                .isEqualTo("http://gpu-box:11500");
        assertThat(load(Map.of("OLLAMA_HOST", "https://ollama.example.com/")).catalog().provider("ollama").orElseThrow().baseUrl())
                .isEqualTo("https://ollama.example.com:11434");
        assertThat(load(Map.of()).catalog().provider("ollama").orElseThrow().baseUrl()).isEqualTo("http://127.0.0.1:11434");

        write(repo(), "providers: { ollama: { base_url: \"http://other:1234\" } }\n");
        assertThat(load(Map.of("OLLAMA_HOST", "gpu-box")).catalog().provider("ollama").orElseThrow().baseUrl())
                .isEqualTo("http://other:1234");
    }

    @Test
    void errorsInTheRepoFileNameTheRepoFileNotTheUserFile() throws IOException {
        write(user(), """
                models:
                  my-model:
                    provider: ollama
                    wire_name: "mine:7b"
                    family: mine
                    context_window: 8192
                    max_output: 2048
                    pricing: { input: 0, output: 0, source: self-hosted, as_of: 2026-11-01 }
                """);
        write(repo(), """
                # the repository tightens the team's model
                models:
                  my-model:
                    pricing: { input: -3 }
                aliases:
                  team: [my-model, ghost-model]
                """);

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        new ConfigError(repo().toString(), 4, "models.my-model.pricing.input",
                                "expected a number ≥ 0 (USD per million tokens), got -3"),
                        new ConfigError(repo().toString(), 6, "aliases.team[1]",
                                "expected a model id or alias, got \"ghost-model\", which is neither")));
    }

    @Test
    void errorsInBothFilesAreAllReportedInLayerOrder() throws IOException {
        write(user(), "timeouts: { idle: soon }\n");
        write(repo(), "retry:\n  multiplier: 0.5\n");

        assertThatThrownBy(() -> load(Map.of("ENSEMBLE_LOCAL_ONLY", "perhaps")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::source, ConfigError::line, ConfigError::key)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(user().toString(), 1, "timeouts.idle"),
                                org.assertj.core.groups.Tuple.tuple(repo().toString(), 2, "retry.multiplier"),
                                org.assertj.core.groups.Tuple.tuple("environment variable ENSEMBLE_LOCAL_ONLY", 0, "local_only")));
    }

    @Test
    void aSyntaxErrorInOneFileStillReportsSchemaErrorsInTheOther() throws IOException {
        write(user(), "timeouts: { idle: soon }\n");
        write(repo(), "aliases:\n  team: [gpt-5\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::source).containsExactly(user().toString(), repo().toString()));
    }

    @Test
    void sectionsMergeAcrossLayersAndOnlyReservedOnesAreFreeForm() throws IOException {
        write(user(), """
                roles: { planner: { name: Athena } }
                budget: { daily_usd: 5 }
                telegram: { chat_id: 42 }
                """);
        write(repo(), "budget: { run_usd: 1 }\n");
        ConfigLoader loader = new ConfigLoader(user(), repo(), Map.of());

        loader.load();

        assertThat(loader.section("budget").path("daily_usd").asInt()).isEqualTo(5);
        assertThat(loader.section("budget").path("run_usd").asInt()).isEqualTo(1);
        assertThat(loader.section("roles").path("planner").path("name").asString()).isEqualTo("Athena");
        assertThat(loader.section("telegram").path("chat_id").asInt()).isEqualTo(42);
        assertThat(loader.section("pipelines").isEmpty()).isTrue();
    }

    @Test
    void anEmptyFileIsAnEmptyLayer() throws IOException {
        write(user(), "# nothing configured yet\n");

        assertThat(load(Map.of()).sources()).containsExactly(BuiltinCatalog.SOURCE, user().toString());
    }

    @Test
    void aDocumentThatIsNotAMappingIsRejected() throws IOException {
        write(user(), "- gpt-5\n- claude-sonnet-4-5\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
                        .isEqualTo(new ConfigError(user().toString(), 1, "",
                                "expected a mapping of settings (key: value lines), got a list")));
    }

    @Test
    void loadingWritesNothing() throws IOException {
        write(user(), "default_model: fast-model\n");
        write(repo(), "timeouts: { total: 5m }\n");
        List<Path> before = listAll();

        load(Map.of("ENSEMBLE_LOCAL_ONLY", "true"));
        new ConfigLoader(user(), repo(), Map.of()).effectiveYaml();

        assertThat(listAll()).isEqualTo(before);
        assertThat(Files.readString(user())).isEqualTo("default_model: fast-model\n");
    }

    @Test
    void userConfigPathFollowsXdg() {
        assertThat(ConfigLoader.userConfigPath(Map.of("XDG_CONFIG_HOME", "/opt/cfg")))
                .isEqualTo(Path.of("/opt/cfg/ensemble/config.yaml"));
        Map<String, String> noXdg = new HashMap<>();
        assertThat(ConfigLoader.userConfigPath(noXdg))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".config", "ensemble", "config.yaml"));
        assertThat(ConfigLoader.userConfigPath(Map.of("XDG_CONFIG_HOME", "relative/dir")))
                .as("a relative XDG_CONFIG_HOME is invalid per the spec and ignored")
                .isEqualTo(Path.of(System.getProperty("user.home"), ".config", "ensemble", "config.yaml"));
    }

    private List<Path> listAll() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.sorted().toList();
        }
    }
}
