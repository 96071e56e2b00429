package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.PulledModel;
import dev.ensemble.testkit.RecordedRequest;
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
 * A user whose Ollama has pulled only models the built-in catalog does not list (the scripted
 * server playing that Ollama, refusing any other model as a real one does): every command that
 * uses models can use them.
 */
class PulledOllamaModelsTest {
    @TempDir Path dir;
    ScriptedModelServer ollama;
    CliHarness cli;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        ollama = ScriptedModelServer.start();
        ollama.pulledModels(List.of(
                new PulledModel("mistral:7b", "llama", "7.2B", "Q4_K_M", 32768, List.of("completion", "tools")),
                new PulledModel("llama3.2:3b", "llama", "3.2B", "Q4_K_M", 131072, List.of("completion", "tools"))));
        ollama.rule(Rule.text("Answered locally."));
        cli = new CliHarness(dir);
        env = Map.of("OLLAMA_HOST", ollama.baseUrl(), "HOME", dir.resolve("home").toString());
    }

    @AfterEach
    void tearDown() {
        ollama.close();
    }

    @Test
    void modelsListsThemWithTheirContextAndGuessedScores() {
        CliHarness.Run table = cli.run(env, "models");
        assertThat(table.exitCode()).as(table.all()).isZero();
        String mistral = line(table.out(), "mistral:7b ");
        assertThat(mistral).contains("ollama", "local", "32.8k", "1.5~", "ready");
        assertThat(line(table.out(), "llama3.2:3b ")).contains("131.1k", "ready");
        assertThat(table.out()).contains("mistral:7b guessed from family mistral").contains("llama3.2:3b guessed from family llama");

        JsonNode json = HttpTransport.JSON.readTree(cli.run(env, "models", "--json").out());
        JsonNode m = null;
        for (JsonNode model : json.path("models")) if (model.path("id").asString().equals("mistral:7b")) m = model;
        assertThat(m).isNotNull();
        assertThat(m.path("usable").asBoolean()).isTrue();
        assertThat(m.path("context_window").asInt()).isEqualTo(32768);
        assertThat(m.path("tools").asBoolean()).isTrue();
        assertThat(m.path("pricing").path("input").asDouble()).isZero();
        assertThat(m.path("capabilities").path("coding").path("guessed").asBoolean()).isTrue();
        assertThat(m.path("capabilities").path("coding").path("benchmark").asString()).contains("Mistral 7B");
        // One list per command; only the models the catalog lacks are asked about, and only once:
        // the answers are kept by digest under $HOME/.cache/ensemble.
        long tags = ollama.requests().stream().filter(r -> r.path().equals("/api/tags")).count();
        assertThat(tags).isEqualTo(2);
        assertThat(ollama.requests()).filteredOn(r -> r.path().equals("/api/show")).hasSize(2);
        assertThat(dir.resolve("home/.cache/ensemble/ollama-show.json")).exists();
    }

    @Test
    void askByNameAndByTheDefaultAliasAnswerWithAPulledModel() {
        CliHarness.Run named = cli.run(env, "ask", "--model", "mistral:7b", "hello");
        assertThat(named.exitCode()).as(named.all()).isZero();
        assertThat(named.out()).contains("Answered locally.");
        assertThat(chats()).extracting(RecordedRequest::model).containsExactly("mistral:7b");

        ollama.clearRequests();
        CliHarness.Run byDefault = cli.run(env, "ask", "hello");
        assertThat(byDefault.exitCode()).as(byDefault.all()).isZero();
        assertThat(byDefault.out()).contains("Answered locally.");
        // The catalog's local models are not pulled here (404); the chain goes on to a pulled one.
        assertThat(chats().getLast().model()).isIn("mistral:7b", "llama3.2:3b");
        assertThat(chats().getLast().status()).isEqualTo(200);

        CliHarness.Run local = cli.run(env, "--local", "ask", "--alias", "fast-model", "hello");
        assertThat(local.exitCode()).as(local.all()).isZero();
    }

    @Test
    void theRouterPicksOneInLocalMode() {
        CliHarness.Run route = cli.run(env, "--local", "route", "--json", "fix the failing date parsing test");
        assertThat(route.exitCode()).as(route.all()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(route.out());
        assertThat(json.path("chosen").asString()).isIn("mistral:7b", "llama3.2:3b");
    }

    @Test
    void doctorSaysAModelIsUsable() {
        CliHarness.Run doctor = cli.run(env, "doctor", "--json");
        JsonNode json = HttpTransport.JSON.readTree(doctor.out());
        assertThat(json.path("usable").asBoolean()).as(doctor.all()).isTrue();
        assertThat(doctor.out()).contains("mistral:7b");
        assertThat(doctor.exitCode()).isZero();
    }

    @Test
    void commandsThatNeedNoModelAskNoOllama() {
        assertThat(cli.run(env, "config", "check").exitCode()).isZero();
        assertThat(cli.run(env, "--version").exitCode()).isZero();
        assertThat(cli.run(env, "models", "--help").exitCode()).isZero();
        assertThat(cli.run(env, "usage").exitCode()).isZero();
        assertThat(ollama.requests()).isEmpty();
    }

    private List<RecordedRequest> chats() {
        return ollama.requests().stream().filter(r -> r.path().equals("/api/chat")).toList();
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(start + " not in\n" + text));
    }
}
