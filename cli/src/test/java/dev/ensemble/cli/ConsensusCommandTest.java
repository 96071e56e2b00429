package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `ensemble consensus` end to end against the scripted server: four model families, local-only so nothing else is routed to. */
class ConsensusCommandTest {
    private static final String QUESTION = "Should this service cache sessions in Redis or in Postgres?";
    private static final List<String> MODELS = List.of("alpha", "beta", "gamma", "delta");

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        StringBuilder models = new StringBuilder();
        double score = 9.5;
        for (String id : MODELS) {
            models.append("  ").append(id).append(": ").append(model(id, "fam-" + id, score)).append('\n');
            score -= 0.1;
        }
        cli.repoConfig("""
                retry: { max_attempts: 1 }
                local_only: true
                providers:
                  scripted: { wire: openai-chat, base_url: "%s/v1", local: true }
                models:
                %s""".formatted(server.baseUrl(), models));
    }

    private static String model(String id, String family, double score) {
        return ("{ provider: scripted, wire_name: %s, family: %s, context_window: 32768, max_output: 2048, tokens_per_second: 100,"
                + " local: true, tools: true, pricing: { input: 1, output: 4, cached_input: 0, source: test, as_of: 2026-11-01 },"
                + " capabilities: { planning: { score: %s, benchmark: test }, coding: { score: %s, benchmark: test },"
                + " review: { score: %s, benchmark: test }, search: { score: %s, benchmark: test } } }")
                .formatted(id, family, score, score, score, score);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** Each model answers in its own words; the synthesizer's request is the one that starts "Question:". */
    private void script(Duration stall, String synthesis) {
        for (String id : MODELS) {
            Rule rule = Rule.text(id.toUpperCase(Locale.ROOT) + "-SAYS use Redis with a TTL").forModel("^" + id + "$")
                    .whenPrompt("^(?!Question:)").named("panel " + id);
            server.rule(stall == null ? rule : rule.withFault(new Fault.Stall(stall)));
        }
        server.rule(Rule.text(synthesis).whenPrompt("^Question:").named("synthesis"));
    }

    private static final String JSON_SYNTHESIS = "{\"agree\": [\"Redis fits sessions\"], \"differ\": [\"B would add a fallback\"],"
            + " \"final\": \"Redis with a TTL.\", \"confidence\": 0.8}";

    private List<RecordedRequest> panelRequests() {
        return server.requests().stream().filter(r -> r.rule().startsWith("panel")).toList();
    }

    private RecordedRequest synthesisRequest() {
        List<RecordedRequest> synth = server.requests().stream().filter(r -> r.rule().equals("synthesis")).toList();
        assertThat(synth).hasSize(1);
        return synth.getFirst();
    }

    @Test
    void thePanelAnswersInParallelAndTheSynthesisIsShownWithItsConfidence() {
        script(Duration.ofSeconds(1), JSON_SYNTHESIS);
        CliHarness.Run run = cli.run("consensus", "--models", "alpha,beta,gamma", QUESTION);
        assertThat(run.exitCode()).as(run.all()).isZero();
        // Every panel request stalls a second before its answer: three at once means none waited for another.
        assertThat(server.maxConcurrentRequests()).isEqualTo(3);
        assertThat(panelRequests()).extracting(RecordedRequest::model).containsExactlyInAnyOrder("alpha", "beta", "gamma");
        assertThat(panelRequests()).allSatisfy(r -> assertThat(r.body()).doesNotContain("-SAYS"));
        RecordedRequest synth = synthesisRequest();
        assertThat(synth.model()).isEqualTo("delta");
        assertThat(synth.body()).contains("ALPHA-SAYS", "BETA-SAYS", "GAMMA-SAYS");

        assertThat(run.out()).contains("── A · alpha ──", "ALPHA-SAYS", "── B · beta ──", "── C · gamma ──", "GAMMA-SAYS",
                "Synthesis by delta", "Redis fits sessions", "B would add a fallback", "Final answer:", "Redis with a TTL.",
                "Confidence: 80%");
        assertThat(run.err()).contains("asking alpha, beta, gamma in parallel; delta synthesizes");
    }

    @Test
    void jsonGivesEveryAnswerAndTheSynthesisAndTheLedgerHasEveryCall() {
        script(null, JSON_SYNTHESIS);
        CliHarness.Run run = cli.run("consensus", "--json", "--models", "alpha,beta", QUESTION);
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(run.out());
        assertThat(root.path("reached").asBoolean()).isTrue();
        JsonNode answers = root.path("answers");
        assertThat(answers.size()).isEqualTo(2);
        JsonNode first = answers.get(0);
        assertThat(first.path("model").asString()).isEqualTo("alpha");
        assertThat(first.path("text").asString()).startsWith("ALPHA-SAYS");
        assertThat(first.path("tokens").path("output").asLong()).isPositive();
        assertThat(first.path("cost_usd").asDouble()).isPositive();
        assertThat(first.has("latency_ms")).isTrue();
        JsonNode synthesis = root.path("synthesis");
        assertThat(synthesis.path("synthesizer").asString()).isEqualTo("gamma");  // the best family not on the panel
        assertThat(synthesis.path("agreements").get(0).asString()).isEqualTo("Redis fits sessions");
        assertThat(synthesis.path("differences").get(0).asString()).isEqualTo("B would add a fallback");
        assertThat(synthesis.path("final_answer").asString()).isEqualTo("Redis with a TTL.");
        assertThat(synthesis.path("confidence").asDouble()).isEqualTo(0.8);
        assertThat(root.path("total_cost_usd").asDouble()).isGreaterThan(first.path("cost_usd").asDouble());

        CliHarness.Run usage = cli.run("usage", "--json", "--by", "model");
        long calls = 0;
        for (JsonNode row : HttpTransport.JSON.readTree(usage.out()).path("rows")) calls += row.path("calls").asLong();
        assertThat(calls).isEqualTo(3);
    }

    @Test
    void blindLabelsTheAnswersAndNamesNoModelToTheSynthesizer() {
        script(null, JSON_SYNTHESIS);
        CliHarness.Run run = cli.run("consensus", "--blind", "--models", "alpha,beta,gamma", QUESTION);
        assertThat(run.exitCode()).as(run.all()).isZero();
        String body = synthesisRequest().body();
        assertThat(body).contains("Answer A", "Answer B", "Answer C", "use Redis with a TTL");
        assertThat(body.toLowerCase(Locale.ROOT)).doesNotContain("alpha", "beta", "gamma");
        assertThat(run.out()).contains("── A · alpha ──", "(blind)");
    }

    @Test
    void withoutModelsTheRouterSeatsThreeFamiliesAndAFourthSynthesizes() {
        script(null, JSON_SYNTHESIS);
        CliHarness.Run run = cli.run("consensus", "--json", QUESTION);
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode root = HttpTransport.JSON.readTree(run.out());
        Set<String> panel = new HashSet<>();
        for (JsonNode a : root.path("answers")) panel.add(a.path("model").asString());
        assertThat(panel).hasSize(3).isSubsetOf(MODELS);
        String synthesizer = root.path("synthesis").path("synthesizer").asString();
        assertThat(synthesizer).isIn(MODELS).isNotIn(panel);
    }

    @Test
    void aFailedPanelistIsReportedAndTwoFailuresMeanNoConsensus() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forModel("^beta$"));
        script(null, JSON_SYNTHESIS);
        CliHarness.Run oneDown = cli.run("consensus", "--models", "alpha,beta,gamma", QUESTION);
        assertThat(oneDown.exitCode()).as(oneDown.all()).isZero();
        assertThat(oneDown.out()).contains("── B · beta: no answer ──", "server error", "Synthesis by delta");
        assertThat(oneDown.err()).contains("beta failed");

        server.clearRequests();
        CliHarness.Run twoDown = cli.run("consensus", "--models", "alpha,beta", QUESTION);
        assertThat(twoDown.exitCode()).isEqualTo(1);
        assertThat(twoDown.out()).contains("ALPHA-SAYS");
        assertThat(twoDown.err()).contains("no consensus", "only 1 of 2");
        assertThat(server.requests()).noneMatch(r -> r.rule().equals("synthesis"));
    }

    @Test
    void aSynthesisThatIsNotJsonIsShownAsGiven() {
        script(null, "They broadly agree: Redis. I'd say fairly sure.");
        CliHarness.Run run = cli.run("consensus", "--models", "alpha,beta", QUESTION);
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("did not answer in JSON", "They broadly agree: Redis. I'd say fairly sure.", "Confidence: not given");
    }

    @Test
    void badInputIsRefusedWithExit2AndNothingSent() {
        script(null, JSON_SYNTHESIS);
        CliHarness.Run unknown = cli.run("consensus", "--models", "alpha,gpt-9", QUESTION);
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("gpt-9");
        CliHarness.Run one = cli.run("consensus", "--models", "alpha", QUESTION);
        assertThat(one.exitCode()).isEqualTo(2);
        assertThat(one.err()).contains("at least 2 models");
        CliHarness.Run twice = cli.run("consensus", "--models", "alpha,alpha", QUESTION);
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("named twice");
        CliHarness.Run empty = cli.run("consensus", "--models", "alpha,beta", "   ");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("question is empty");
        CliHarness.Run tooSmall = cli.run("consensus", "--size", "1", QUESTION);
        assertThat(tooSmall.exitCode()).isEqualTo(2);
        assertThat(tooSmall.err()).contains("2 to 8");
        assertThat(server.requests()).noneMatch(r -> r.method().equals("POST"));
    }

    @Test
    void helpDescribesTheCommand() {
        CliHarness.Run help = cli.run("consensus", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--models", "--blind", "--synthesizer", "--json", "none sees another's answer");
        assertThat(cli.run("--help").out()).contains("consensus");
    }
}
