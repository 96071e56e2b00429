package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.EnsembleConfig;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ensemble config import litellm}: realistic LiteLLM proxy files (OpenAI, Anthropic, Azure,
 * Ollama, vLLM and an OpenAI-compatible server with api_base, Gemini, Bedrock) become ensemble
 * configuration that ensemble's own loader accepts; what cannot be mapped is listed with its key,
 * line and why; no key value is ever copied or shown; an existing file is not replaced without --force.
 */
class ConfigImportLiteLlmTest {
    static final String AZURE_LITERAL = "sk-literal-azure-key-0123456789abcdef";
    static final String MASTER_KEY = "sk-master-4f3e2d1c0b9a8877";

    static final String LITELLM = """
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/OPENAI_API_KEY
                  rpm: 480
                model_info:
                  input_cost_per_token: 0.0000025
                  output_cost_per_token: 0.00001
                  max_input_tokens: 128000
                  max_output_tokens: 16384
              - model_name: claude-sonnet
                litellm_params:
                  model: anthropic/claude-sonnet-4-5-20250929
                  api_key: os.environ/ANTHROPIC_API_KEY
                  max_parallel_requests: 4
              - model_name: gpt-4o-azure
                litellm_params:
                  model: azure/gpt-4o-eu
                  api_base: https://my-endpoint-europe.openai.azure.com/
                  api_version: "2024-02-01"
                  api_key: %s
              - model_name: gpt-4o-azure
                litellm_params:
                  model: azure/gpt-4o-ca
                  api_base: https://my-endpoint-canada.openai.azure.com
                  api_key: os.environ/AZURE_CANADA_API_KEY
              - model_name: llama3
                litellm_params:
                  model: ollama/llama3.1:8b
                  api_base: http://localhost:11434
              - model_name: qwen-coder
                litellm_params:
                  model: hosted_vllm/Qwen/Qwen3-Coder-30B-A3B-Instruct
                  api_base: http://gpu-box:8000/v1
                model_info:
                  max_input_tokens: 131072
                  max_output_tokens: 8192
                  supports_function_calling: true
              - model_name: finetune
                litellm_params:
                  model: openai/my-finetune
                  api_base: http://10.0.0.5:8000/v1
                  api_key: os.environ/VLLM_KEY
                  temperature: 0.2
              - model_name: gemini-flash
                litellm_params:
                  model: gemini/gemini-2.5-flash
                  api_key: os.environ/GEMINI_API_KEY
              - model_name: bedrock-claude
                litellm_params:
                  model: bedrock/anthropic.claude-3-sonnet-20240229-v1:0
                  aws_region_name: us-east-1
            router_settings:
              fallbacks: [{"gpt-4o": ["claude-sonnet", "gemini-flash"]}, {"bedrock-claude": ["gpt-4o"]}]
              routing_strategy: simple-shuffle
              num_retries: 2
            litellm_settings:
              max_budget: 300
              budget_duration: 30d
              success_callback: ["langfuse"]
            general_settings:
              master_key: %s
            """.formatted(AZURE_LITERAL, MASTER_KEY);

    @TempDir Path dir;
    CliHarness cli;
    Path litellm;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
        litellm = Files.writeString(cli.repo.resolve("litellm.yaml"), LITELLM);
    }

    @Test
    void importsProvidersModelsAliasesAndBudgetThatEnsemblesOwnLoaderAccepts() throws Exception {
        CliHarness.Run run = cli.run("config", "import", "litellm", "litellm.yaml", "--out", "imported.yaml");

        assertThat(run.exitCode()).as(run.all()).isZero();
        Path written = cli.repo.resolve("imported.yaml");
        EnsembleConfig config = new ConfigLoader(written, null, Map.of()).load();
        Catalog c = config.catalog();

        // OpenAI and Gemini on the built-in providers; Anthropic's with its concurrency limit
        assertThat(c.models().get("gpt-4o@openai").provider()).isEqualTo("openai");
        assertThat(c.models().get("gpt-4o@openai").pricing().inputPerMtok()).isEqualTo(2.5);
        assertThat(c.models().get("gpt-4o@openai").maxOutputTokens()).isEqualTo(16384);
        assertThat(c.models().get("gemini-flash").provider()).isEqualTo("google");
        assertThat(c.providers().get("anthropic").maxConcurrency()).isEqualTo(4);
        assertThat(c.models().get("claude-sonnet").pricing().outputPerMtok()).as("the catalog's price").isEqualTo(15.0);
        // Azure through its v1 API, two deployments of one model_name as one chain
        assertThat(c.providers().get("azure").baseUrl()).isEqualTo("https://my-endpoint-europe.openai.azure.com/openai/v1");
        assertThat(c.providers().get("azure-2").apiKey().map(Object::toString)).hasValue("env:AZURE_CANADA_API_KEY");
        assertThat(c.aliases().get("gpt-4o-azure")).containsExactly("gpt-4o-azure@azure", "gpt-4o-azure@azure-2");
        // Ollama on the built-in local provider; vLLM and the OpenAI-compatible server as providers of their own
        assertThat(c.models().get("llama3").provider()).isEqualTo("ollama");
        assertThat(c.models().get("llama3").local()).isTrue();
        assertThat(c.models().get("qwen-coder").provider()).isEqualTo("vllm");
        assertThat(c.providers().get("vllm").local()).isTrue();
        assertThat(c.models().get("qwen-coder").contextWindow()).isEqualTo(131072);
        assertThat(c.models().get("qwen-coder").supportsTools()).isTrue();
        assertThat(c.providers().get("openai-10-0-0-5").baseUrl()).isEqualTo("http://10.0.0.5:8000/v1");
        assertThat(c.providers().get("openai-10-0-0-5").apiKey().map(Object::toString)).hasValue("env:VLLM_KEY");
        // fallbacks are a chain; the Bedrock one is not (its model was not imported)
        assertThat(c.aliases().get("gpt-4o")).containsExactly("gpt-4o@openai", "claude-sonnet", "gemini-flash");
        assertThat(c.aliases()).doesNotContainKey("bedrock-claude");
        assertThat(c.models()).doesNotContainKey("bedrock-claude");
        assertThat(config.retry().maxAttempts()).isEqualTo(3);
        Budget budget = Budget.load(new ConfigLoader(written, null, Map.of()).section("budget"));
        assertThat(budget.dailyUsd().getAsDouble()).isEqualTo(10.0);

        // ensemble's own check of every section accepts it as a repository's file too
        Files.copy(written, cli.repo.resolve("ensemble.yaml"));
        CliHarness.Run check = cli.run("config", "check");
        assertThat(check.exitCode()).as(check.all()).isZero();
    }

    @Test
    void listsWhatItCouldNotMapWithKeyLineAndWhy() {
        CliHarness.Run run = cli.run("config", "import", "litellm", "litellm.yaml", "--out", "imported.yaml");

        assertThat(run.err()).contains(
                "model_list[8].litellm_params.model (line 52): provider 'bedrock' has no ensemble counterpart",
                "model_list[0].litellm_params.rpm (line 6): ensemble limits calls in flight per provider",
                "model_list[2].litellm_params.api_version (line 21): dropped: ensemble calls Azure's v1 API",
                "model_list[6].litellm_params.temperature (line 45): ensemble has no per-model 'temperature' setting",
                "router_settings.fallbacks[1].bedrock-claude (line 55): 'bedrock-claude' is not an imported model_name",
                "router_settings.routing_strategy (line 56)",
                "litellm_settings.success_callback (line 61)",
                "general_settings.master_key (line 63): not copied");
    }

    @Test
    void neverWritesOrShowsAKeyValue() throws Exception {
        CliHarness.Run run = cli.run("config", "import", "litellm", "litellm.yaml", "--out", "imported.yaml");
        CliHarness.Run json = cli.run("config", "import", "litellm", "litellm.yaml", "--dry-run", "--json");

        String file = Files.readString(cli.repo.resolve("imported.yaml"));
        for (String text : List.of(file, run.all(), json.all())) {
            assertThat(text).doesNotContain(AZURE_LITERAL).doesNotContain(MASTER_KEY).doesNotContain("sk-literal");
        }
        // the literal key became a reference the user must set, and a warning that says so
        assertThat(file).contains("api_key: env:GPT_4O_AZURE_API_KEY");
        assertThat(run.err()).contains("model_list[2].litellm_params.api_key (line 22): a key written into the file was not copied; "
                + "set it as the environment variable GPT_4O_AZURE_API_KEY");
    }

    @Test
    void anExistingFileIsReplacedOnlyWithForce() throws Exception {
        Path existing = Files.writeString(cli.repo.resolve("ensemble.yaml"), "default_model: fast-model\n");

        CliHarness.Run refused = cli.run("config", "import", "litellm", "litellm.yaml");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains(existing + " exists; nothing was written");
        assertThat(Files.readString(existing)).isEqualTo("default_model: fast-model\n");

        CliHarness.Run forced = cli.run("config", "import", "litellm", "litellm.yaml", "--force");
        assertThat(forced.exitCode()).as(forced.all()).isZero();
        assertThat(Files.readString(existing)).contains("gpt-4o@openai");
    }

    @Test
    void aDryRunPrintsAndWritesNothingAndJsonIsMachineReadable() throws Exception {
        CliHarness.Run dry = cli.run("config", "import", "litellm", "litellm.yaml", "--dry-run");
        assertThat(dry.exitCode()).isZero();
        assertThat(dry.out()).contains("providers:", "gpt-4o@openai", "aliases:");
        assertThat(dry.err()).contains("dry run: nothing written");
        assertThat(cli.repo.resolve("ensemble.yaml")).doesNotExist();

        CliHarness.Run json = cli.run("config", "import", "litellm", "litellm.yaml", "--dry-run", "--json");
        JsonNode root = HttpTransport.JSON.readTree(json.out());
        assertThat(root.path("written").asBoolean()).isFalse();
        assertThat(root.path("models").asInt()).isEqualTo(8);
        assertThat(root.path("yaml").asString()).contains("providers:");
        List<String> keys = root.path("unmapped").valueStream().map(u -> u.path("key").asString()).toList();
        assertThat(keys).contains("model_list[8].litellm_params.model", "general_settings.master_key");
        assertThat(cli.repo.resolve("ensemble.yaml")).doesNotExist();
    }

    @Test
    void aFileWithNothingEnsembleCanCallIsRefusedAndNothingWritten() throws Exception {
        Files.writeString(litellm, """
                model_list:
                  - model_name: titan
                    litellm_params: { model: bedrock/amazon.titan-text-express-v1 }
                  - model_name: palm
                    litellm_params: { model: vertex_ai/chat-bison }
                """);

        CliHarness.Run run = cli.run("config", "import", "litellm", "litellm.yaml");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("provider 'vertex_ai' has no ensemble counterpart", "nothing was written");
        assertThat(cli.repo.resolve("ensemble.yaml")).doesNotExist();
        assertThat(Optional.of(cli.run("config", "import", "litellm", "missing.yaml").err())).hasValueSatisfying(
                err -> assertThat(err).contains("missing.yaml: no such file"));
    }
}
