package dev.ensemble.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner against the scripted server: first-time success, one repair turn, rejection; the repository pack's budget. */
class PlannerTest {
    static final String GOOD = """
            Sure, here it is:
            ```json
            {"specs": [{"path": "specs/greet.md", "content": "# Greeting"}],
             "tasks": [
               {"id": "tests", "title": "Tests", "kind": "coding", "files": ["tests/test_greet.py"], "acceptance": "tests exist"},
               {"id": "impl", "title": "Greet", "kind": "coding", "files": ["src/greet.py"], "depends_on": ["tests"],
                "acceptance": "tests pass", "test_first": true},
               {"id": "docs", "title": "Docs", "kind": "coding", "files": ["README.md"], "acceptance": "documented"}
             ]}
            ```""";
    static final String CYCLE = """
            {"tasks": [
              {"id": "a", "title": "A", "kind": "coding", "files": ["src/a.py"], "depends_on": ["b"], "acceptance": "ok"},
              {"id": "b", "title": "B", "kind": "coding", "files": ["src/b.py"], "depends_on": ["a"], "acceptance": "ok"}]}""";
    static final String OVERLAP = """
            {"tasks": [
              {"id": "a", "title": "A", "kind": "coding", "files": ["src/**"], "acceptance": "ok"},
              {"id": "b", "title": "B", "kind": "coding", "files": ["src/b.py"], "acceptance": "ok"}]}""";

    @TempDir Path dir;
    ScriptedModelServer server;
    ChatModel model;
    Planner planner;
    RepoPack pack;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(10));
        ProviderSpec provider = new ProviderSpec("scripted", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), true);
        model = new OpenAiChatModel(spec(128_000), provider,
                new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts, "scripted/planner"), Optional.empty());
        planner = new Planner(model, Roles.defaults().require(Roles.PLANNER), PlanValidator.withDefaultRoles());
        Files.writeString(dir.resolve("README.md"), "# greeter\n");
        pack = RepoPack.build(dir, 4_000);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static ModelSpec spec(int window) {
        return new ModelSpec("planner-model", "scripted", "planner-wire", "test", new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)),
                window, 4096, 100, false, true, Map.of());
    }

    @Test
    void aGoodPlanTheFirstTime() {
        server.rule(Rule.text(GOOD));
        Plan plan = planner.plan("greet people", pack);
        assertThat(plan.tasks()).extracting(PlanTask::id).containsExactly("tests", "impl", "docs");
        assertThat(server.requests()).hasSize(1);
        RecordedRequest request = server.requests().getFirst();
        assertThat(request.parsed().lastUserText()).contains("greet people", "README.md", "# greeter");
        assertThat(request.body()).contains("You are Sisyphus, the planner.", "\\\"depends_on\\\"");
    }

    @Test
    void aBadPlanIsRepairedOnceWithTheExactErrors() {
        server.rule(Rule.text(CYCLE).times(1));
        server.rule(Rule.text(GOOD));
        Plan plan = planner.plan("greet people", pack);
        assertThat(plan.tasks()).hasSize(3);
        assertThat(server.requests()).hasSize(2);
        String repair = server.requests().get(1).parsed().lastUserText();
        assertThat(repair).contains("Your plan was rejected.").contains("- $.tasks: dependency cycle: a → b → a");
        // The repair is a turn in the same conversation: the rejected answer is in it.
        assertThat(server.requests().get(1).body()).contains("src/a.py").contains("greet people");
    }

    @Test
    void twoBadPlansAreRejectedWithTheSecondAnswersReasons() {
        server.rule(Rule.text("I would rather not plan today.").times(1));
        server.rule(Rule.text(OVERLAP));
        assertThatThrownBy(() -> planner.plan("greet people", pack))
                .isInstanceOfSatisfying(PlanRejectedException.class, e -> assertThat(e.problems()).containsExactly(new PlanProblem(
                        "$.tasks[1].files", "'src/b.py' (task 'b') overlaps 'src/**' (task 'a'), and the two tasks can run at the same "
                        + "time: give the path to one task, or make one depend on the other")))
                .hasMessageContaining("rejected after one repair");
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).parsed().lastUserText())
                .contains("- $: expected a JSON object with \"specs\" and \"tasks\"; the answer contains no JSON object");
    }

    @Test
    void repoPackRespectsItsBudgetAndALongContextModelGetsMore() throws Exception {
        for (int i = 0; i < 60; i++) {
            Files.writeString(dir.resolve("module" + i + ".py"), "def f%d():\n    return %d\n".formatted(i, i).repeat(20 + i));
        }
        Files.writeString(dir.resolve("pom.xml"), "<project/>\n");
        Files.write(dir.resolve("image.bin"), new byte[] {1, 0, 2, 0});
        RepoPack small = RepoPack.build(dir, 2_000);
        assertThat(small.tokens()).isLessThanOrEqualTo(2_000).isEqualTo(TokenEstimator.count(small.render()));
        assertThat(small.files()).extracting(RepoPack.PackedFile::path).startsWith("README.md", "pom.xml").doesNotContain("image.bin");
        assertThat(small.files().size()).isLessThan(62);

        int shortBudget = RepoPack.budgetFor(spec(8_192));
        int longBudget = RepoPack.budgetFor(spec(1_000_000));
        assertThat(longBudget).isGreaterThan(shortBudget * 10);
        RepoPack big = RepoPack.build(dir, longBudget);
        assertThat(big.tokens()).isLessThanOrEqualTo(longBudget);
        assertThat(big.files()).hasSize(62);  // every text file: README, pom.xml, 60 modules
        assertThat(big.tree()).contains("module59.py", "image.bin");

        RepoPack tiny = RepoPack.build(dir, 100);
        assertThat(tiny.tokens()).isLessThanOrEqualTo(100);
        assertThat(tiny.tree()).contains("more files not listed");
    }
}
