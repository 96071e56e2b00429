package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.llm.TokenEstimator;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble review` against the scripted server: merging, cutting a big diff, failures, bad input. */
class ReviewCommandTest {
    static final String MODELS = """
            retry: { max_attempts: 1 }
            providers:
              scripted: { wire: ollama, base_url: "%s", local: true }
            models:
              rev-a: { provider: scripted, wire_name: rev-a, family: alpha, context_window: 32768, max_output: 2048,
                tokens_per_second: 50, local: true, pricing: { input: 0, output: 0, cached_input: 0, source: local, as_of: 2026-11-01 },
                capabilities: { planning: { score: 5, benchmark: test }, coding: { score: 5, benchmark: test },
                  review: { score: 6, benchmark: test }, search: { score: 5, benchmark: test } } }
              rev-b: { provider: scripted, wire_name: rev-b, family: beta, context_window: 32768, max_output: 2048,
                tokens_per_second: 50, local: true, pricing: { input: 0, output: 0, cached_input: 0, source: local, as_of: 2026-11-01 },
                capabilities: { planning: { score: 5, benchmark: test }, coding: { score: 5, benchmark: test },
                  review: { score: 5, benchmark: test }, search: { score: 5, benchmark: test } } }
              tiny: { provider: scripted, wire_name: tiny, family: gamma, context_window: 1500, max_output: 2048,
                tokens_per_second: 50, local: true, pricing: { input: 0, output: 0, cached_input: 0, source: local, as_of: 2026-11-01 },
                capabilities: { review: { score: 1, benchmark: test } } }
            """;

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        server.localModels(List.of("rev-a", "rev-b", "tiny"));
        cli = new CliHarness(dir);
        cli.repoConfig(MODELS.formatted(server.baseUrl()));
        cli.git("add", "ensemble.yaml");
        cli.git("commit", "-q", "-m", "config");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static String finding(String severity, String file, int line, String description) {
        return "[{\"severity\":\"" + severity + "\",\"file\":\"" + file + "\",\"line\":" + line
                + ",\"description\":\"" + description + "\",\"recommendation\":\"fix it\"}]";
    }

    private void changeApp() throws Exception {
        Files.createDirectories(cli.repo.resolve("src"));
        Files.writeString(cli.repo.resolve("src/App.java"), "class App {\n    void run() {\n        String s = null;\n        s.length();\n    }\n}\n"
                + "// notes\n".repeat(10));
        cli.git("add", "src/App.java");
    }

    @Test
    void twoModelsFlaggingNearbyLinesGiveOneFindingListingBothAtTheHigherSeverity() throws Exception {
        changeApp();
        server.rule(Rule.text("```json\n" + finding("MEDIUM", "src/App.java", 3, "s is null") + "\n```").forModel("rev-a"));
        server.rule(Rule.text("Found one: " + finding("HIGH", "App.java", 4, "NullPointerException on s.length()")).forModel("rev-b"));
        CliHarness.Run run = cli.run("review", "--models", "rev-a,rev-b", "--json");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        assertThat(report.path("findings")).hasSize(1);
        JsonNode f = report.path("findings").get(0);
        assertThat(f.path("severity").asString()).isEqualTo("HIGH");
        assertThat(f.path("file").asString()).isEqualTo("src/App.java");
        assertThat(f.path("line").asInt()).isEqualTo(3);
        assertThat(f.path("end_line").asInt()).isEqualTo(4);
        assertThat(f.path("models")).extracting(JsonNode::asString).containsExactly("rev-a", "rev-b");
        assertThat(report.path("worst").asString()).isEqualTo("HIGH");
        assertThat(report.path("source").asString()).isEqualTo("changes since HEAD");
        assertThat(server.modelCalls()).hasSize(2);
        // Both calls are in the ledger as the review's reviewer.
        try (var store = dev.ensemble.engine.store.Store.open(dev.ensemble.core.config.StoreSettings.DEFAULT, cli.repo, ref -> "")) {
            List<String> rows = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT command || ' ' || role || ' ' || model FROM model_calls ORDER BY model").mapTo(String.class).list());
            assertThat(rows).containsExactly("review reviewer rev-a", "review reviewer rev-b");
        }
    }

    @Test
    void withoutModelsTheReviewerRoleIsCastTwiceFromDifferentFamiliesAndMarkdownGroupsBySeverity() throws Exception {
        changeApp();
        server.rule(Rule.text(finding("LOW", "src/App.java", 14, "notes say nothing")).forModel("rev-a"));
        server.rule(Rule.text("[{\"severity\":\"CRITICAL\",\"file\":\"src/App.java\",\"line\":4,\"description\":\"crash\"},"
                + "{\"severity\":\"HIGH\",\"file\":\"src/Gone.java\",\"line\":1,\"description\":\"invented\"}]").forModel("rev-b"));
        CliHarness.Run run = cli.run("review", "--staged");
        assertThat(run.exitCode()).as(run.all()).isZero();
        // (The availability check lists the local models first: a request without a model.)
        List<RecordedRequest> chats = server.modelCalls();
        Set<String> asked = chats.stream().map(RecordedRequest::model).collect(Collectors.toSet());
        assertThat(asked).containsExactlyInAnyOrder("rev-a", "rev-b");
        String md = run.out();
        assertThat(md).contains("# Code review: 2 findings (1 CRITICAL, 1 LOW)");
        assertThat(md.indexOf("## CRITICAL")).isLessThan(md.indexOf("## LOW"));
        assertThat(md).contains("**src/App.java:4**: crash").contains("Raised by: rev-b").contains("Raised by: rev-a");
        assertThat(md).contains("## Dropped findings").contains("src/Gone.java is not in the diff");
        assertThat(chats.getFirst().parsed().lastUserText()).contains("+++ b/src/App.java");
    }

    @Test
    void anOversizedDiffIsCutIntoRequestsThatEachFitTheContextWindow() throws Exception {
        for (int n = 1; n <= 3; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = 1; i <= 40; i++) text.append("line ").append(i).append(" of file ").append(n).append(": some ordinary words\n");
            Files.writeString(cli.repo.resolve("f" + n + ".txt"), text.toString());
            server.rule(Rule.text(finding("LOW", "f" + n + ".txt", 7, "remark on file " + n)).whenPrompt("\\+\\+\\+ b/f" + n + "\\.txt"));
        }
        cli.git("add", ".");
        CliHarness.Run run = cli.run("review", "--staged", "--models", "tiny", "--json");
        assertThat(run.exitCode()).as(run.all()).isZero();
        List<RecordedRequest> requests = server.modelCalls();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
        for (RecordedRequest request : requests) {
            int answerRoom = request.parsed().body().path("options").path("num_predict").asInt();
            assertThat(answerRoom).isPositive();
            assertThat(TokenEstimator.count(request.parsed().inputText()) + answerRoom).as("request fits the 1500-token window")
                    .isLessThanOrEqualTo(1500);
        }
        JsonNode report = HttpTransport.JSON.readTree(run.out());
        assertThat(report.path("parts").asInt()).isEqualTo(requests.size());
        assertThat(report.path("findings")).extracting(f -> f.path("file").asString())
                .containsExactlyInAnyOrder("f1.txt", "f2.txt", "f3.txt");
        assertThat(run.err()).contains("parts");
    }

    @Test
    void aFailingModelIsReportedWithoutSinkingTheOtherAndAllFailingIsExitOne() throws Exception {
        changeApp();
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("rev-a"));
        server.rule(Rule.text(finding("MEDIUM", "src/App.java", 4, "may throw")).forModel("rev-b"));
        CliHarness.Run run = cli.run("review", "--models", "rev-a,rev-b");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("## MEDIUM").contains("## Reviewer failures").contains("rev-a:").contains("rev-a (failed)");

        server.clearRules();
        server.rule(Rule.text("I could not decide.").forModel("rev-b"));
        CliHarness.Run none = cli.run("review", "--models", "rev-b", "--json");
        assertThat(none.exitCode()).as(none.all()).isEqualTo(1);
        JsonNode report = HttpTransport.JSON.readTree(none.out());
        assertThat(report.path("reviewed").asBoolean()).isFalse();
        assertThat(report.path("reviewers").get(0).path("failures").get(0).asString()).contains("malformed");
    }

    @Test
    void wholeFilesCanBeReviewed() throws Exception {
        changeApp();
        cli.git("commit", "-q", "-m", "app");
        server.rule(Rule.text(finding("HIGH", "src/App.java", 4, "NPE")));
        CliHarness.Run run = cli.run("review", "--files", "src/**", "--models", "rev-a", "--json");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(server.modelCalls().getFirst().parsed().lastUserText()).contains("whole files").contains("+        s.length();");
        assertThat(HttpTransport.JSON.readTree(run.out()).path("findings").get(0).path("line").asInt()).isEqualTo(4);
    }

    @Test
    void badInputIsExitTwoAndSendsNothing() throws Exception {
        CliHarness.Run empty = cli.run("review");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("nothing to review");
        assertThat(cli.run("review", "--staged").exitCode()).isEqualTo(2);
        assertThat(cli.run("review", "--files", "nothing/**").exitCode()).isEqualTo(2);
        changeApp();
        CliHarness.Run badRef = cli.run("review", "--diff", "no-such-branch");
        assertThat(badRef.exitCode()).isEqualTo(2);
        assertThat(badRef.err()).contains("no-such-branch").contains("not a commit");
        assertThat(cli.run("review", "--diff", "--staged").exitCode()).isEqualTo(2);
        CliHarness.Run unknown = cli.run("review", "--models", "rev-a,nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("nope");
        assertThat(cli.run("review", "--staged", "--diff", "HEAD").exitCode()).isEqualTo(2);

        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        try (AppContext app = new AppContext(terminal, plain, new ConfigLoader(cli.userConfig, plain.resolve("ensemble.yaml"), Map.of()))) {
            assertThat(Main.run(app, "review", "--staged")).isEqualTo(2);
            assertThat(Main.run(app, "precommit")).isEqualTo(2);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a git repository");
        assertThat(server.modelCalls()).isEmpty();
    }
}
