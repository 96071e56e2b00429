package dev.ensemble.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.SpecFile;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge on temporary git repositories: specs, TDD test files, detected test commands, timeouts, the reviewer. */
class JudgeTest {
    static final PlanTask TESTS = task("tests", List.of("tests/**"), List.of(), false);
    static final PlanTask IMPL = task("impl", List.of("src/greet.js"), List.of("tests"), true);
    static final PlanTask DOCS = task("docs", List.of("README.md"), List.of(), false);
    static final Plan PLAN = new Plan("greet people", List.of(new SpecFile("specs/greet.md", "# Greeting")), List.of(TESTS, IMPL, DOCS));
    static final JudgeSettings SETTINGS = JudgeSettings.defaults().withCommandTimeout(Duration.ofSeconds(60));

    @TempDir Path repo;
    ScriptedModelServer server;

    @BeforeEach
    void setUp() throws Exception {
        git("init", "-q", "-b", "main");
        Files.createDirectories(repo.resolve("specs"));
        Files.writeString(repo.resolve("specs/greet.md"), "# Greeting\n");
        Files.writeString(repo.resolve("README.md"), "# greeter\n");
        git("add", "-A");
        git("-c", "user.email=dev@example.com", "-c", "user.name=Dev", "commit", "-q", "-m", "initial");
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    static PlanTask task(String id, List<String> files, List<String> dependsOn, boolean testFirst) {
        return new PlanTask(id, "Task " + id, TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), files, dependsOn,
                "greet(name) returns 'Hello, name!'", testFirst, "write it");
    }

    JudgeInput input(PlanTask task, String... changed) {
        return new JudgeInput(PLAN, task, repo, "diff --git a/x b/x\n+change", List.of(changed));
    }

    static Check check(JudgeVerdict verdict, String name) {
        return verdict.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aPresentSpecAndNoTestCommandPassWhenTestsAreNotRequired() {
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
        assertThat(check(verdict, "specs").detail()).contains("1 spec file(s) present");
        assertThat(check(verdict, "tests").detail()).contains("no test command detected");
        assertThat(check(verdict, "review").detail()).contains("skipped");
        assertThat(verdict.checks()).extracting(Check::name).doesNotContain("test files");
    }

    @Test
    void noTestCommandFailsWhenTestsAreRequired() {
        JudgeVerdict verdict = new Judge(SETTINGS.withRequireTests(true), Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).isFalse();
        assertThat(check(verdict, "tests").detail()).contains("no test command detected", "required");
    }

    @Test
    void aMissingSpecFails() throws Exception {
        Files.delete(repo.resolve("specs/greet.md"));
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).isFalse();
        assertThat(check(verdict, "specs").detail()).contains("missing spec file(s)", "specs/greet.md");
        assertThat(verdict.summary()).startsWith("FAIL: specs");
    }

    @Test
    void testFirstWithoutTestFilesFailsAndWithThemPasses() throws Exception {
        Judge judge = new Judge(SETTINGS, Optional.empty());
        JudgeVerdict none = judge.judge(input(IMPL, "src/greet.js"));
        assertThat(none.passed()).isFalse();
        assertThat(check(none, "test files").detail()).contains("'impl' is test_first, but no test files exist");

        // The test task's files, merged before the implementation started, count.
        Files.createDirectories(repo.resolve("tests"));
        Files.writeString(repo.resolve("tests/greet.test.js"), "// test\n");
        JudgeVerdict present = judge.judge(input(IMPL, "src/greet.js"));
        assertThat(check(present, "test files").passed()).as(check(present, "test files").detail()).isTrue();
        assertThat(check(present, "test files").detail()).contains("tests/greet.test.js");
    }

    @Test
    void theTestTaskMustChangeTestFiles() {
        Judge judge = new Judge(SETTINGS, Optional.empty());
        JudgeVerdict none = judge.judge(input(TESTS, "src/greet.js"));
        assertThat(check(none, "test files").passed()).isFalse();
        assertThat(check(none, "test files").detail()).contains("contains no test files", "src/greet.js");
        assertThat(check(judge.judge(input(TESTS, "tests/greet.test.js")), "test files").passed()).isTrue();
    }

    @Test
    void aDetectedNpmTestThatPasses() throws Exception {
        Files.writeString(repo.resolve("package.json"), """
                {"name": "greeter", "scripts": {"test": "node -e \\"console.log('all good'); process.exit(0)\\""}}""");
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(check(verdict, "tests").passed()).as(check(verdict, "tests").detail()).isTrue();
        assertThat(check(verdict, "tests").detail()).contains("npm test --silent");
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void aFailingTestCommandGivesTheOutputTail() throws Exception {
        Files.writeString(repo.resolve("package.json"), """
                {"name": "greeter", "scripts": {"test": "node -e \\"for (let i = 0; i < 2000; i++) console.log('line ' + i); \
                console.error('AssertionError: expected Hello, Ada!'); process.exit(3)\\""}}""");
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).isFalse();
        Check tests = check(verdict, "tests");
        assertThat(tests.detail()).contains("`npm test --silent` failed (exit code", "AssertionError: expected Hello, Ada!", "line 1999",
                "earlier output omitted").doesNotContain("line 5\n");
        assertThat(tests.detail().length()).isLessThan(SETTINGS.outputTailChars() + 200);
        assertThat(verdict.reasons()).contains("AssertionError");
    }

    @Test
    void theNpmInitPlaceholderIsNoTestScript() throws Exception {
        Files.writeString(repo.resolve("package.json"), """
                {"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}""");
        assertThat(TestCommands.detect(repo)).isEmpty();
        Files.writeString(repo.resolve("go.mod"), "module x\n");
        assertThat(TestCommands.detect(repo)).contains("go test ./...");
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        assertThat(TestCommands.detect(repo)).contains("mvn -q -B test");
        Files.writeString(repo.resolve("mvnw"), "#!/bin/sh\n");
        assertThat(TestCommands.detect(repo)).contains("./mvnw -q -B test");
    }

    @Test
    void configuredLintAndTestCommandsRunInTheWorktree() throws Exception {
        Files.writeString(repo.resolve("marker.txt"), "here\n");
        JudgeSettings settings = SETTINGS.withTestCommand("test -f marker.txt").withLintCommand("echo style error >&2; exit 1");
        JudgeVerdict verdict = new Judge(settings, Optional.empty()).judge(input(DOCS, "README.md"));
        assertThat(check(verdict, "tests").passed()).isTrue();
        assertThat(check(verdict, "lint").passed()).isFalse();
        assertThat(check(verdict, "lint").detail()).contains("exit code 1", "style error");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void aHangingTestCommandIsKilledAtTheTimeout() throws Exception {
        Path pidFile = repo.resolve("child.pid");
        // A child in the background and one in the foreground: both must die.
        JudgeSettings settings = SETTINGS.withTestCommand("echo started; sleep 300 & echo $! > child.pid; sleep 300")
                .withCommandTimeout(Duration.ofMillis(1500));
        JudgeVerdict verdict = new Judge(settings, Optional.empty()).judge(input(DOCS, "README.md"));
        Check tests = check(verdict, "tests");
        assertThat(tests.passed()).isFalse();
        assertThat(tests.detail()).contains("timed out after", "was killed", "started");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(dead(pid)).as("the background child " + pid + " was killed").isTrue();
    }

    /**
     * Gone, or a zombie: an orphan is re-parented to PID 1, which in some containers never reaps
     * it, and ProcessHandle counts a zombie as alive. SIGKILL lands asynchronously, hence the wait.
     */
    static boolean dead(long pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (!Files.exists(stat)) return true;
            String text;
            try {
                text = Files.readString(stat);
            } catch (IOException e) {
                return true;
            }
            char state = text.substring(text.lastIndexOf(')') + 2).charAt(0);
            if (state == 'Z' || state == 'X') return true;
            Thread.sleep(50);
        }
        return false;
    }

    // ---- the reviewer, through the scripted server

    ChatModel reviewer() {
        server = ScriptedModelServer.start();
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(10));
        ProviderSpec provider = new ProviderSpec("scripted", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), true);
        ModelSpec spec = new ModelSpec("reviewer-model", "scripted", "reviewer-wire", "test",
                new Pricing(1.0, 2.0, 0.1, "test", LocalDate.of(2026, 11, 1)), 128_000, 4096, 100, false, true, Map.of());
        return new OpenAiChatModel(spec, provider, new HttpTransport(HttpTransport.newClient(timeouts.connect()), timeouts, "scripted/reviewer"),
                Optional.empty());
    }


    @Test
    void theReviewerPasses() {
        ChatModel model = reviewer();
        server.rule(Rule.text("{\"verdict\": \"pass\", \"reasons\": [\"meets the criteria\"]}"));
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.of(model)).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
        assertThat(check(verdict, "review").detail()).contains("reviewer-model: pass", "meets the criteria");
        assertThat(server.requests()).hasSize(1);
        String asked = server.requests().getFirst().parsed().lastUserText();
        assertThat(asked).contains("greet(name) returns 'Hello, name!'", "+change", "Task docs");
    }

    @Test
    void theReviewerFailsWithReasonsInAFence() {
        ChatModel model = reviewer();
        server.rule(Rule.text("Here is my review:\n```json\n{\"verdict\": \"FAIL\", \"reasons\": [\"greet ignores the name\", \"no tests\"]}\n```"));
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.of(model)).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).isFalse();
        assertThat(check(verdict, "review").detail()).contains("fail", "- greet ignores the name", "- no tests");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aMalformedAnswerIsRetriedOnce() {
        ChatModel model = reviewer();
        server.rule(Rule.text("Looks fine to me!").times(1));
        server.rule(Rule.text("{\"verdict\": \"pass\", \"reasons\": []}"));
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.of(model)).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).parsed().lastUserText()).contains("could not be read", "contains no JSON object");
    }

    @Test
    void twoMalformedAnswersFail() {
        ChatModel model = reviewer();
        server.rule(Rule.text("{\"verdict\": \"maybe\"}"));
        JudgeVerdict verdict = new Judge(SETTINGS, Optional.of(model)).judge(input(DOCS, "README.md"));
        assertThat(verdict.passed()).isFalse();
        assertThat(check(verdict, "review").detail()).contains("no readable verdict twice", "\"verdict\" must be \"pass\" or \"fail\"");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void reviewAnswersAreReadTolerantly() {
        assertThat(ReviewAnswer.parse("{\"verdict\":\"pass\",\"reasons\":\"fine\"}"))
                .isEqualTo(new ReviewAnswer.Verdict(true, List.of("fine")));
        assertThat(ReviewAnswer.parse("verdict below {\"verdict\":\"fail\",\"reasons\":[\"x\"]} end"))
                .isEqualTo(new ReviewAnswer.Verdict(false, List.of("x")));
        assertThat(ReviewAnswer.parse("{\"verdict\":\"fail\",\"reasons\":[]}")).isInstanceOf(ReviewAnswer.Malformed.class);
        assertThat(ReviewAnswer.parse("{not json")).isInstanceOf(ReviewAnswer.Malformed.class);
        assertThat(ReviewAnswer.parse("")).isInstanceOf(ReviewAnswer.Malformed.class);
    }

    void git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) throw new IOException("git " + String.join(" ", args) + ": " + out);
    }
}
