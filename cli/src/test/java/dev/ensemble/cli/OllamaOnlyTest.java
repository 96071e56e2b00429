package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A user with a local Ollama (the scripted server speaking its wire) and no cloud key, on the
 * built-in catalog and aliases: the cloud models are passed over without a word, and `exec`
 * hands its agent a model it can drive and call, never the alias's first model that has no key.
 */
class OllamaOnlyTest {
    private static final List<String> CLOUD = List.of("claude", "gpt-", "gemini", "deepseek-chat", "no key", "attempt");

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        cli.secrets = CliHarness.secretsFrom(Map.of());
        cli.repoConfig("providers:\n  ollama: { base_url: \"" + server.baseUrl() + "\" }\n");
        server.localModels(List.of("qwen3-coder:30b"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void askOnTheDefaultAliasSaysNothingAboutTheCloudModels() {
        server.rule(Rule.text("A CRDT merges concurrent edits without coordination."));

        CliHarness.Run run = cli.run("ask", "explain CRDTs");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("A CRDT merges");
        List<String> lines = run.err().lines().toList();
        assertThat(lines).as("only the usage line").singleElement().satisfies(line -> assertThat(line).startsWith("qwen3-coder:30b · "));
        for (String word : CLOUD) assertThat(run.err()).doesNotContainIgnoringCase(word);
        // One model was called, once; the key-less ones are no ledger rows.
        assertThat(ledgerRows()).containsExactly("qwen3-coder:30b ok");
    }

    @Test
    void theKeylessCloudModelsDoNotCountTowardsTheApprovalThreshold() throws Exception {
        // Claude's worst case would be far above a tenth of a cent; the local model costs nothing.
        cli.repoConfig("providers:\n  ollama: { base_url: \"" + server.baseUrl() + "\" }\nbudget: { approve_above_usd: 0.001 }\n");
        server.rule(Rule.text("merged"));

        CliHarness.Run run = cli.run("ask", "explain CRDTs");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).doesNotContain("approve");
    }

    @Test
    void askJsonListsTheSkippedModelsApartFromFailures() {
        server.rule(Rule.text("merged"));

        CliHarness.Run run = cli.run("ask", "--json", "explain CRDTs");

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(run.out());
        assertThat(json.path("model").asString()).isEqualTo("qwen3-coder:30b");
        assertThat(json.path("failures").size()).isZero();
        assertThat(json.path("skipped").valueStream().map(s -> s.path("model").asString() + " " + s.path("reason").asString()).toList())
                .containsExactly("claude-sonnet-4-5 no_key", "gpt-5-codex no_key", "gemini-3-pro-preview no_key", "deepseek-chat no_key");
        assertThat(json.path("skipped").get(0).path("detail").asString()).isEqualTo("no key (ANTHROPIC_API_KEY)");
    }

    @Test
    void modelsOllamaHasNotPulledArePassedOverQuietlyToo() {
        server.localModels(List.of("qwen2.5-coder:7b"));
        // What Ollama answers for a model it does not have.
        server.rule(Rule.fault(new Fault.HttpError(404)).forModel("^(qwen3-coder:30b|qwen2.5-coder:32b|deepseek-coder-v2:16b)$"));
        server.rule(Rule.text("merged"));

        CliHarness.Run run = cli.run("ask", "explain CRDTs");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err().lines().toList()).singleElement().satisfies(line -> assertThat(line).startsWith("qwen2.5-coder:7b · "));
        assertThat(run.err()).doesNotContain("not pulled").doesNotContain("not found");
        assertThat(ledgerRows()).containsExactly("qwen2.5-coder:7b ok");
    }

    @Test
    void execWithTheBuiltinAgentAndNoModelUsesTheLocalModelAsAskDoes() {
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"notes/hello.txt\",\"content\":\"hi\\n\"}"))
                .whenTools(true).whenToolResult(false));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"wrote notes/hello.txt\"}")).whenToolResult(true));

        CliHarness.Run run = cli.run("exec", "--agent", "builtin", "--owns", "notes/**", "--json", "write a note");

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        assertThat(result.path("model").asString()).isEqualTo("qwen3-coder:30b");
        assertThat(result.path("accepted").asBoolean()).isTrue();
        for (String word : CLOUD) assertThat(run.err()).doesNotContainIgnoringCase(word);
    }

    @Test
    void execWithAnAgentThatCanDriveNoUsableModelSaysSoWithExit3() throws Exception {
        // Without the gateway: through it, claude would drive the Ollama model too.
        CliHarness.Run run = cli.run(java.util.Map.of("ENSEMBLE_GATEWAY__AGENTS", "false"), "exec", "--agent", "claude", "add JWT auth");

        assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.NO_MODEL);
        List<String> lines = run.err().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst()).isEqualTo("ensemble: no usable model claude can drive (anthropic): "
                + "4 cloud models have no key (ANTHROPIC_API_KEY) (nothing was sent)");
        assertThat(lines.getLast()).isEqualTo("next: `ensemble doctor` shows what is missing; set a key with "
                + "`ensemble secrets set ANTHROPIC_API_KEY`");
        // Before any worktree: nothing was created.
        assertThat(cli.git("worktree", "list").lines()).hasSize(1);
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();
        assertThat(server.requests()).noneMatch(r -> r.method().equals("POST"));
    }

    /** The ledger as "model outcome", oldest first. */
    private List<String> ledgerRows() {
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            return store.jdbi().withHandle(h -> h.createQuery("SELECT model || ' ' || outcome FROM model_calls ORDER BY id")
                    .mapTo(String.class).list());
        }
    }
}
