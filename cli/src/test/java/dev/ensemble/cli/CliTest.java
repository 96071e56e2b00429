package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The commands end to end, in-process, against the scripted server and a temporary repository. */
class CliTest {
    private static final String PLANTED_KEY = "sk-planted-4f9c2e7a1b0d";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Path keyFile;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        keyFile = dir.resolve("secret-key");
        Files.writeString(keyFile, PLANTED_KEY + "\n");
        cli.repoConfig(config());
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private String config() {
        return """
                default_model: scripted-a
                retry: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }
                providers:
                  scripted:
                    wire: openai-chat
                    base_url: "%1$s/v1"
                    local: true
                  keyed:
                    wire: anthropic
                    base_url: "%1$s"
                    api_key: "file:%2$s"
                models:
                  scripted-a: %3$s
                  scripted-b: %4$s
                  keyed-model: %5$s
                aliases:
                  pair: [scripted-a, scripted-b]
                """.formatted(server.baseUrl(), keyFile, model("scripted", "scripted-a"), model("scripted", "scripted-b"),
                model("keyed", "keyed-wire"));
    }

    private static String model(String provider, String wire) {
        return ("{ provider: %s, wire_name: %s, family: test, context_window: 8192, max_output: 1024, tokens_per_second: 100,"
                + " local: false, tools: true, pricing: { input: 2.0, output: 8.0, cached_input: 0.5, source: test, as_of: 2026-11-01 },"
                + " capabilities: { planning: { score: 5, benchmark: test }, coding: { score: 5, benchmark: test },"
                + " review: { score: 5, benchmark: test }, search: { score: 5, benchmark: test } } }").formatted(provider, wire);
    }

    @Test
    void versionAndHelpNeedNoValidConfiguration() throws IOException {
        cli.repoConfig("models: [this is not valid\n");
        CliHarness.Run version = cli.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("ensemble ");
        CliHarness.Run help = cli.run("ask", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--model", "--alias", "--json", "--no-stream", "--system");
    }

    @Test
    void askStreamsTheAnswerAndEndsWithOneUsageLine() {
        server.rule(Rule.text("Streams are lovely."));
        CliHarness.Run run = cli.run("ask", "--system", "Be terse.", "Tell me about streams");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("Streams are lovely.\n");
        assertThat(run.err().strip().lines()).singleElement().satisfies(line ->
                assertThat(line).startsWith("scripted-a · ").contains(" in / ", " out · ", "$", "first token"));
        assertThat(server.requests().getLast().parsed().stream()).isTrue();
        assertThat(server.requests().getLast().body()).contains("Be terse.");
    }

    @Test
    void askJsonGivesUsageCostAndTiming() {
        server.rule(Rule.text("forty-two"));
        CliHarness.Run run = cli.run("ask", "--json", "--model", "scripted-b", "answer?");
        assertThat(run.exitCode()).isZero();
        JsonNode json = HttpTransport.JSON.readTree(run.out());
        assertThat(json.path("model").asString()).isEqualTo("scripted-b");
        assertThat(json.path("text").asString()).isEqualTo("forty-two");
        assertThat(json.path("usage").path("output_tokens").asLong()).isPositive();
        assertThat(json.path("cost_usd").asDouble()).isPositive();
        assertThat(json.path("failures")).isEmpty();
    }

    @Test
    void aFailingFirstModelFallsBackAndTheLedgerShowsEveryAttempt() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("scripted-a"));
        server.rule(Rule.text("from b"));
        CliHarness.Run run = cli.run("ask", "--alias", "pair", "who answers?");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("from b");
        assertThat(run.err()).contains("scripted-b · ").contains("fallback after: scripted-a server error");

        CliHarness.Run usage = cli.run("usage", "--json", "--by", "model");
        assertThat(usage.exitCode()).isZero();
        JsonNode rows = HttpTransport.JSON.readTree(usage.out()).path("rows");
        assertThat(rows).hasSize(2);
        for (JsonNode row : rows) {
            if (row.path("key").asString().equals("scripted-a")) {
                assertThat(row.path("calls").asLong()).isEqualTo(2);   // two attempts (max_attempts: 2)
                assertThat(row.path("failures").asLong()).isEqualTo(2);
            } else {
                assertThat(row.path("key").asString()).isEqualTo("scripted-b");
                assertThat(row.path("calls").asLong()).isEqualTo(1);
                assertThat(row.path("failures").asLong()).isZero();
            }
        }
        CliHarness.Run table = cli.run("usage", "--by", "day");
        assertThat(table.out()).contains("total");
    }

    @Test
    void badInputExitsTwoAndSaysWhy() throws IOException {
        CliHarness.Run unknown = cli.run("ask", "--model", "no-such-model", "hi");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("no-such-model");
        CliHarness.Run notAlias = cli.run("ask", "--alias", "scripted-a", "hi");
        assertThat(notAlias.exitCode()).isEqualTo(2);
        CliHarness.Run grouping = cli.run("usage", "--by", "colour");
        assertThat(grouping.exitCode()).isEqualTo(2);
        CliHarness.Run since = cli.run("usage", "--since", "yesterday-ish");
        assertThat(since.exitCode()).isEqualTo(2);
        CliHarness.Run option = cli.run("ask", "--modle", "x", "hi");
        assertThat(option.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();

        cli.repoConfig("default_model: scripted-a\ntimeouts:\n  total: forever\n");
        CliHarness.Run broken = cli.run("ask", "hi");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).contains("ensemble.yaml:3").contains("timeouts.total");
        CliHarness.Run check = cli.run("config", "check");
        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();
    }

    @Test
    void configCheckAndShow() {
        CliHarness.Run check = cli.run("config", "check");
        assertThat(check.exitCode()).isZero();
        assertThat(check.out()).contains("configuration is valid").contains("ensemble.yaml");
        CliHarness.Run show = cli.run("config", "show");
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("scripted-a").contains("file:" + keyFile);
    }

    @Test
    void aPlantedKeyAppearsInNoOutputLogOrDatabaseRow() throws IOException {
        server.rule(Rule.fault(new Fault.HttpError(401)));  // echoes the presented key in its error body
        StringBuilder everything = new StringBuilder();
        CliHarness.Run ask = cli.run("ask", "--model", "keyed-model", "hello");
        assertThat(ask.exitCode()).isEqualTo(1);
        assertThat(server.requests()).isNotEmpty();
        assertThat(server.requests().getLast().header("x-api-key")).isEqualTo(PLANTED_KEY);  // the key really was used
        assertThat(ask.err()).contains("401");
        everything.append(ask.all());
        for (List<String> args : List.of(List.of("ask", "--json", "--model", "keyed-model", "x"), List.of("config", "show"),
                List.of("models", "--json"), List.of("models"), List.of("doctor", "--json"), List.of("usage", "--json"),
                List.of("usage", "--by", "provider"))) {
            everything.append(cli.run(args.toArray(String[]::new)).all());
        }
        assertThat(everything.toString()).doesNotContain(PLANTED_KEY).doesNotContain(PLANTED_KEY.substring(3));
        try (Stream<Path> files = Files.walk(cli.repo.resolve(".ensemble"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(file.toString()).doesNotContain(PLANTED_KEY);
            }
        }
    }

    @Test
    void modelsShowsUsabilityAndWhy() {
        CliHarness.Run json = cli.run("models", "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(json.out());
        assertThat(root.path("models").size()).isGreaterThanOrEqualTo(20 + 3);
        boolean sawUnusableCloud = false;
        for (JsonNode m : root.path("models")) {
            if (m.path("id").asString().equals("scripted-a")) assertThat(m.path("usable").asBoolean()).isTrue();
            if (m.path("id").asString().equals("keyed-model")) assertThat(m.path("usable").asBoolean()).isTrue();
            if (!m.path("usable").asBoolean()) {
                sawUnusableCloud = true;
                assertThat(m.path("reason").asString()).isNotBlank();
            }
        }
        assertThat(sawUnusableCloud).isTrue();
        assertThat(root.path("aliases").findValuesAsString("name")).contains("pair", "coding-model", "research-model",
                "fast-model", "local-research", "local-coding");
    }

    @Test
    void doctorFindsAUsableModelAndReportsChecks() {
        CliHarness.Run run = cli.run("doctor", "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(run.out());
        assertThat(root.path("usable").asBoolean()).isTrue();
        assertThat(root.path("checks").findValuesAsString("name")).contains("java", "git", "store", "claude", "codex", "usable models");
    }

    @Test
    void demoRunsOnTheBuiltInScriptedModels() {
        CliHarness.Run run = cli.run(Map.of(), "demo", "--scripted");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("built-in scripted models").contains("ensemble doctor").contains(DemoCommand.DEMO_ANSWER)
                .contains("answering after scripted-flaky failed");
        assertThat(run.err()).contains("scripted-coder · ").contains("fallback after: scripted-flaky");
        // The orchestrated run on the sample repository: four tasks pass, the lock-file task is rejected.
        assertThat(run.out()).contains("4/5 tasks passed").contains("protected-path deps/package-lock.json")
                .contains("(no deps/package-lock.json: it was rejected)");
    }
}
