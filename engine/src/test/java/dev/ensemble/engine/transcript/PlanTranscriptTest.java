package dev.ensemble.engine.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.plan.RepoPack;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The planner's exchange in {@code plan.jsonl}: both turns of a repair, failures, and no key. */
class PlanTranscriptTest {
    static final String CYCLE = """
            {"tasks": [
              {"id": "a", "title": "A", "kind": "coding", "files": ["src/a.py"], "depends_on": ["b"], "acceptance": "ok"},
              {"id": "b", "title": "B", "kind": "coding", "files": ["src/b.py"], "depends_on": ["a"], "acceptance": "ok"}]}""";
    static final String GOOD = """
            {"tasks": [{"id": "a", "title": "A", "kind": "coding", "files": ["src/a.py"], "acceptance": "ok"}]}""";

    @TempDir Path repo;
    final Redactor redactor = new Redactor();

    private Planner planner(ChatModel model) {
        return new Planner(new SessionTranscripts(repo, redactor, Clock.systemUTC()).planner(model, "run-1"),
                Roles.defaults().require(Roles.PLANNER), PlanValidator.withDefaultRoles());
    }

    private Path planFile() {
        return repo.resolve(".ensemble/sessions/run-1/plan.jsonl");
    }

    @Test
    void theRepairTurnIsTranscribedWithOnlyItsNewMessages() throws Exception {
        Files.writeString(repo.resolve("README.md"), "# demo\n");
        ScriptedChatModel model = new ScriptedChatModel("planner-model", CYCLE, GOOD);
        Plan plan = planner(model).plan("build it", RepoPack.build(repo, 2_000));
        assertThat(plan.tasks()).hasSize(1);

        List<JsonNode> lines = SessionTranscriptsTest.lines(planFile());
        assertThat(lines).extracting(l -> l.path("kind").asString()).containsExactly("request", "response", "request", "response");
        assertThat(lines).allSatisfy(l -> assertThat(l.path("role").asString()).isEqualTo("planner"));
        JsonNode first = lines.get(0);
        assertThat(first.path("content")).hasSize(2);
        assertThat(first.path("content").get(0).path("role").asString()).isEqualTo("system");
        assertThat(first.path("content").get(1).path("text").asString()).startsWith("Request:\nbuild it").contains("# demo");
        assertThat(first.path("data").path("context").path("command").asString()).isEqualTo("plan");
        assertThat(lines.get(1).path("content").asString()).isEqualTo(CYCLE);
        assertThat(lines.get(1).path("data").path("usage").path("output_tokens").asLong()).isEqualTo(30);
        assertThat(lines.get(1).path("data").path("latency_ms").asLong()).isEqualTo(42);
        JsonNode repair = lines.get(2);
        assertThat(repair.path("data").path("earlier_messages").asInt()).isEqualTo(2);
        assertThat(repair.path("content")).hasSize(2);
        assertThat(repair.path("content").get(0).path("role").asString()).isEqualTo("assistant");
        assertThat(repair.path("content").get(1).path("text").asString()).startsWith("Your plan was rejected").contains("cycle");
        assertThat(lines.get(3).path("content").asString()).isEqualTo(GOOD);
    }

    @Test
    void aFailedCallIsTranscribedAndStillThrownAndAKeyInAnAnswerIsMasked() throws Exception {
        String key = "sk-planted-plan-0123456789";
        redactor.register(key);
        ModelException down = new ModelException(ModelException.Kind.SERVER_ERROR, "HTTP 503 from scripted");
        assertThatThrownBy(() -> planner(new ScriptedChatModel("planner-model", down)).plan("build it", RepoPack.build(repo, 2_000)))
                .isSameAs(down);
        ScriptedChatModel leaky = new ScriptedChatModel("planner-model", "here is my key " + key + "\n" + GOOD);
        planner(leaky).plan("use " + key, RepoPack.build(repo, 2_000));

        List<JsonNode> lines = SessionTranscriptsTest.lines(planFile());
        assertThat(lines).extracting(l -> l.path("kind").asString()).containsExactly("request", "failure", "request", "response");
        assertThat(lines.get(1).path("content").asString()).isEqualTo("HTTP 503 from scripted");
        assertThat(lines.get(1).path("data").path("error_kind").asString()).isEqualTo("server error");
        String text = Files.readString(planFile());
        assertThat(text).doesNotContain(key).contains("here is my key " + Redactor.MASK);
    }
}
