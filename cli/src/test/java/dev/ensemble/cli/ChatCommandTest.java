package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble chat` end to end: a temporary repository, two scripted local models, the real ledger and store. */
class ChatCommandTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        cli.repoConfig("""
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  writer: %s
                  critic: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("writer", "alpha", 9), CliHarness.scriptedModel("critic", "beta", 7)));
        Files.writeString(cli.repo.resolve(".gitignore"), ".ensemble/\n");
        cli.git("add", "ensemble.yaml", ".gitignore");
        cli.git("commit", "-q", "-m", "config");
        server.localModels(List.of("writer", "critic"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private List<RecordedRequest> posts() {
        return server.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    @Test
    void theChatStreamsEachTurnUnderAHeaderAndStopsAtTheRoundLimit() throws Exception {
        server.rule(Rule.text("def parse(): pass").forModel("writer"));
        server.rule(Rule.text("Handle the empty string.").forModel("critic"));

        CliHarness.Run run = cli.run("chat", "--rounds", "2", "--implementer", "writer", "--reviewer", "critic", "write a parser");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).containsSubsequence("[Hephaestus · writer]", "def parse(): pass", "[Oracle · critic]",
                "Handle the empty string.", "[Hephaestus · writer]", "[Oracle · critic]");
        assertThat(run.err()).contains("2 of 2 round(s)").contains("round limit reached").contains("transcript .ensemble/sessions/");
        assertThat(posts()).extracting(RecordedRequest::model).containsExactly("writer", "critic", "writer", "critic");
        // Only the transcript and the store's files are written, and nothing outside .ensemble/.
        assertThat(cli.git("status", "--porcelain", "--untracked-files=all")).isEmpty();
        assertThat(filesUnder(cli.repo.resolve(".ensemble"))).allMatch(p -> p.matches("sessions/\\d{8}-\\d{6}-chat\\.json|ensemble\\.db.*"))
                .anyMatch(p -> p.startsWith("sessions/"));
        // Every call is in the ledger, by role.
        JsonNode byRole = HttpTransport.JSON.readTree(cli.run("usage", "--json", "--by", "role").out());
        Map<String, Long> calls = new java.util.TreeMap<>();
        for (JsonNode row : byRole.path("rows")) calls.put(row.path("key").asString(), row.path("calls").asLong());
        assertThat(calls).containsEntry("implementer", 2L).containsEntry("reviewer", 2L);
    }

    @Test
    void theStopTokenEndsTheChatAndJsonPrintsTheTranscript() throws Exception {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("Good.\nAPPROVED").forModel("critic"));

        CliHarness.Run run = cli.run("chat", "--implementer", "writer", "--reviewer", "critic", "--json", "write a parser");

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode printed = HttpTransport.JSON.readTree(run.out());
        assertThat(printed.path("outcome").asString()).isEqualTo("approved");
        assertThat(printed.path("task").asString()).isEqualTo("write a parser");
        assertThat(printed.path("settings").path("rounds").asInt()).isEqualTo(3);
        assertThat(printed.path("turns")).hasSize(2);
        for (JsonNode turn : printed.path("turns")) {
            for (String field : List.of("role", "model", "content", "input_tokens", "output_tokens", "latency_ms", "time_to_first_token_ms", "status")) {
                assertThat(turn.has(field)).as(field).isTrue();
            }
        }
        assertThat(printed.path("turns").get(1).path("model").asString()).isEqualTo("critic");
        List<String> sessions = filesUnder(cli.repo.resolve(".ensemble/sessions"));
        assertThat(sessions).hasSize(1);
        JsonNode onDisk = HttpTransport.JSON.readTree(Files.readString(cli.repo.resolve(".ensemble/sessions").resolve(sessions.getFirst())));
        assertThat(onDisk).isEqualTo(printed);
    }

    @Test
    void aStalledTurnEndsTheChatCleanlyWithTheTimeoutInTheTranscript() throws Exception {
        server.rule(Rule.text("draft").forModel("writer"));
        server.rule(Rule.text("late").forModel("critic").withFault(new Fault.Stall(Duration.ofSeconds(8))));

        CliHarness.Run run = cli.run("chat", "--implementer", "writer", "--reviewer", "critic", "--turn-timeout", "1s", "write a parser");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.err()).contains("[timed out: no answer within the turn timeout of 1 s").contains("a turn timed out");
        JsonNode transcript = onlyTranscript();
        assertThat(transcript.path("outcome").asString()).isEqualTo("timed_out");
        assertThat(transcript.path("turns")).hasSize(2);
        assertThat(transcript.path("turns").get(1).path("status").asString()).isEqualTo("timed_out");
        assertThat(transcript.path("turns").get(1).path("latency_ms").asLong()).isGreaterThanOrEqualTo(1000);
        assertThat(cli.git("status", "--porcelain", "--untracked-files=all")).isEmpty();
    }

    @Test
    void withoutNamedModelsTheRolesAreRoutedAndTheReviewerComesFromAnotherFamily() throws Exception {
        server.rule(Rule.text("APPROVED"));

        CliHarness.Run run = cli.run("chat", "--json", "write a parser");

        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode t = HttpTransport.JSON.readTree(run.out());
        String implementer = t.path("implementer").path("model").asString();
        assertThat(List.of("writer", "critic")).contains(implementer);
        assertThat(t.path("reviewer").path("model").asString()).isNotEqualTo(implementer).isIn("writer", "critic");
        assertThat(t.path("implementer").path("reason").asString()).contains("routed");
        assertThat(t.path("outcome").asString()).isEqualTo("approved");
    }

    @Test
    void badInputIsRefusedWithExitTwoAndNothingWritten() throws Exception {
        CliHarness.Run unknownModel = cli.run("chat", "--implementer", "gpt-9", "write a parser");
        assertThat(unknownModel.exitCode()).isEqualTo(2);
        assertThat(unknownModel.err()).contains("gpt-9");
        CliHarness.Run unknownRole = cli.run("chat", "--reviewer-role", "critic-role", "write a parser");
        assertThat(unknownRole.exitCode()).isEqualTo(2);
        assertThat(unknownRole.err()).contains("unknown role 'critic-role'").contains("reviewer");
        CliHarness.Run zeroRounds = cli.run("chat", "--rounds", "0", "write a parser");
        assertThat(zeroRounds.exitCode()).isEqualTo(2);
        assertThat(zeroRounds.err()).contains("--rounds must be at least 1");
        CliHarness.Run badTimeout = cli.run("chat", "--turn-timeout", "soon", "write a parser");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("--turn-timeout");
        assertThat(posts()).isEmpty();
        assertThat(cli.repo.resolve(".ensemble")).doesNotExist();

        Path plain = dir.resolve("not-a-repo");
        Files.createDirectories(plain);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        int code;
        try (AppContext app = new AppContext(terminal, plain, new ConfigLoader(cli.userConfig, plain.resolve("ensemble.yaml"), Map.of()))) {
            code = Main.run(app, "chat", "write a parser");
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a git repository");
        try (Stream<Path> files = Files.list(plain)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void helpDescribesTheOptions() {
        CliHarness.Run help = cli.run("chat", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--rounds").contains("--implementer").contains("--reviewer").contains("--turn-timeout")
                .contains("--json").contains("--stop-token");
    }

    private JsonNode onlyTranscript() throws Exception {
        List<String> sessions = filesUnder(cli.repo.resolve(".ensemble/sessions"));
        assertThat(sessions).hasSize(1);
        return HttpTransport.JSON.readTree(Files.readString(cli.repo.resolve(".ensemble/sessions").resolve(sessions.getFirst())));
    }

    private static List<String> filesUnder(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }
}
