package dev.ensemble.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.TaskKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad plans, each rejected with the exact reason at the exact place; and good ones accepted. */
class BadPlansTest {
    private static final PlanValidator VALIDATOR = PlanValidator.withDefaultRoles();

    /** A coding task as JSON: id, files, dependencies. */
    static String task(String id, String files, String deps) {
        return """
                {"id": "%s", "title": "do %s", "kind": "coding", "files": [%s], "depends_on": [%s], "acceptance": "%s works"}"""
                .formatted(id, id, quote(files), quote(deps), id);
    }

    static String quote(String csv) {
        if (csv.isBlank()) return "";
        return String.join(", ", java.util.Arrays.stream(csv.split(",")).map(s -> "\"" + s.strip() + "\"").toList());
    }

    static String plan(String... tasks) {
        return "{\"specs\": [{\"path\": \"specs/feature.md\", \"content\": \"# Feature\"}], \"tasks\": [" + String.join(",\n", tasks) + "]}";
    }

    private static List<PlanProblem> problems(String json) {
        try {
            return VALIDATOR.validate(PlanParser.parse("req", json));
        } catch (PlanParseException e) {
            return e.problems();
        }
    }

    private static void rejectedWith(String json, String where, String message) {
        assertThat(problems(json)).containsExactly(new PlanProblem(where, message));
    }

    @Test
    void malformedJson() {
        rejectedWith("{\"tasks\": [ {\"id\": \"a\" \"title\": \"x\"} ]}", "$",
                "malformed JSON at line 1, column 24: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries");
    }

    @Test
    void noJsonAtAll() {
        rejectedWith("I think we should first refactor the module.", "$",
                "expected a JSON object with \"specs\" and \"tasks\"; the answer contains no JSON object");
    }

    @Test
    void emptyPlan() {
        rejectedWith("{\"specs\": [], \"tasks\": []}", "$.tasks", "the plan has no tasks: at least one is required");
    }

    @Test
    void missingTasks() {
        rejectedWith("{\"specs\": []}", "$.tasks", "required: a list of tasks");
    }

    @Test
    void missingAndMistypedFieldsAreAllReported() {
        String json = plan("""
                {"id": "a", "kind": "cooking", "files": "src/a.py", "acceptance": "ok", "test_first": "yes"}""");
        assertThat(problems(json)).containsExactly(
                new PlanProblem("$.tasks[0].title", "required field is missing"),
                new PlanProblem("$.tasks[0].kind", "unknown kind 'cooking' (expected planning, coding, review or search)"),
                new PlanProblem("$.tasks[0].files", "expected a list of text, got text"),
                new PlanProblem("$.tasks[0].test_first", "expected true or false"));
    }

    @Test
    void duplicateId() {
        rejectedWith(plan(task("a", "src/a.py", ""), task("a", "src/b.py", "")), "$.tasks[1].id",
                "duplicate task id 'a' (also $.tasks[0])");
    }

    @Test
    void unknownDependency() {
        rejectedWith(plan(task("a", "src/a.py", ""), task("b", "src/b.py", "a, c")), "$.tasks[1].depends_on[1]",
                "unknown dependency 'c' (task ids: a, b)");
    }

    @Test
    void twoCycleIsNamed() {
        rejectedWith(plan(task("a", "src/a.py", "b"), task("b", "src/b.py", "a")), "$.tasks", "dependency cycle: a → b → a");
    }

    @Test
    void threeCycleIsNamed() {
        rejectedWith(plan(task("a", "src/a.py", "c"), task("b", "src/b.py", "a"), task("c", "src/c.py", "b"), task("d", "src/d.py", "a")),
                "$.tasks", "dependency cycle: a → c → b → a");
    }

    @Test
    void selfDependency() {
        rejectedWith(plan(task("a", "src/a.py", "a")), "$.tasks[0].depends_on[0]", "task 'a' depends on itself");
    }

    @Test
    void sameFileOwnedByParallelTasks() {
        rejectedWith(plan(task("a", "src/app.py", ""), task("b", "src/util.py, src/app.py", "")), "$.tasks[1].files",
                "'src/app.py' (task 'b') overlaps 'src/app.py' (task 'a'), and the two tasks can run at the same time: "
                        + "give the path to one task, or make one depend on the other");
    }

    @Test
    void globOverlapsFileOfParallelTask() {
        rejectedWith(plan(task("a", "src/api/*.py", ""), task("b", "src/api/routes.py", "")), "$.tasks[1].files",
                "'src/api/routes.py' (task 'b') overlaps 'src/api/*.py' (task 'a'), and the two tasks can run at the same time: "
                        + "give the path to one task, or make one depend on the other");
    }

    @Test
    void folderOverlapsFileUnderIt() {
        assertThat(problems(plan(task("a", "src/auth", ""), task("b", "src/auth/login.py", ""))))
                .singleElement().extracting(PlanProblem::where).isEqualTo("$.tasks[1].files");
    }

    @Test
    void overlapAllowedWhenOneDependsOnTheOtherEvenTransitively() {
        assertThat(problems(plan(task("a", "src/**", ""), task("b", "docs/x.md", "a"), task("c", "src/app.py", "b")))).isEmpty();
    }

    @Test
    void disjointGlobsAndSiblingNamesDoNotOverlap() {
        assertThat(problems(plan(task("a", "src/auth/**, docs/a*.md", ""), task("b", "src/authz/**, docs/b*.md", "")))).isEmpty();
    }

    @Test
    void absolutePath() {
        rejectedWith(plan(task("a", "/etc/passwd", "")), "$.tasks[0].files[0]",
                "'/etc/passwd' is an absolute path: paths are relative to the repository root");
    }

    @Test
    void dotDotPath() {
        rejectedWith(plan(task("a", "src/../../other/x.py", "")), "$.tasks[0].files[0]", "'src/../../other/x.py' leaves the repository ('..')");
    }

    @Test
    void pathInGitOrEnsembleFolder() {
        rejectedWith(plan(task("a", ".git/hooks/pre-commit", "")), "$.tasks[0].files[0]",
                "'.git/hooks/pre-commit' is inside .git/, which no task may own");
        rejectedWith(plan(task("a", "./.ensemble/ensemble.db", "")), "$.tasks[0].files[0]",
                "'./.ensemble/ensemble.db' is inside .ensemble/, which no task may own");
    }

    @Test
    void specOutsideSpecs() {
        String json = "{\"specs\": [{\"path\": \"docs/feature.md\", \"content\": \"x\"}], \"tasks\": [" + task("a", "src/a.py", "") + "]}";
        rejectedWith(json, "$.specs[0].path", "spec 'docs/feature.md' is outside specs/: spec files go under specs/");
    }

    @Test
    void testFirstWithoutAPrecedingTestTask() {
        String impl = """
                {"id": "impl", "title": "implement", "kind": "coding", "files": ["src/calc.py"], "depends_on": ["docs"],
                 "acceptance": "tests pass", "test_first": true}""";
        rejectedWith(plan(task("docs", "docs/calc.md", ""), impl), "$.tasks[1].test_first",
                "task 'impl' is test_first, but no task it depends on writes tests: add a coding task that owns the test files "
                        + "(e.g. src/test/..., tests/..., *_test.py) and list it in depends_on");
    }

    @Test
    void testFirstSatisfiedByATestTaskItDependsOn() {
        String impl = """
                {"id": "impl", "title": "implement", "kind": "coding", "files": ["src/calc.py"], "depends_on": ["tests"],
                 "acceptance": "tests pass", "test_first": true}""";
        assertThat(problems(plan(task("tests", "tests/test_calc.py", ""), impl))).isEmpty();
    }

    @Test
    void unknownRole() {
        String json = plan("""
                {"id": "a", "title": "t", "kind": "review", "role": "poet", "files": [], "acceptance": "ok"}""");
        rejectedWith(json, "$.tasks[0].role", "unknown role 'poet' (roles: implementer, librarian, planner, reviewer)");
    }

    @Test
    void goodPlanInFencedJsonInsideProse() {
        String answer = """
                Here is the plan. I kept the tasks small.

                ```json
                {
                  "specs": [{"path": "specs/calc.md", "content": "# Calculator\\nAdds numbers."}],
                  "tasks": [
                    {"id": "tests", "title": "Write tests", "kind": "coding", "files": ["tests/test_calc.py"],
                     "acceptance": "tests fail for the missing add()",},
                    {"id": "impl", "title": "Implement add", "kind": "coding", "role": "implementer", "agent": "claude",
                     "model": "claude-sonnet-4-5", "files": ["src/calc.py"], "depends_on": ["tests"],
                     "acceptance": "tests pass", "test_first": true, "description": "Write add(a, b)."},
                    {"id": "readme", "title": "Document", "kind": "coding", "files": ["README.md"], "acceptance": "documented"},
                  ],
                }
                ```
                Let me know if you want changes.
                """;
        Plan plan = PlanParser.parse("add numbers", answer);
        assertThat(VALIDATOR.validate(plan)).isEmpty();
        assertThat(plan.request()).isEqualTo("add numbers");
        assertThat(plan.specs()).containsExactly(new SpecFile("specs/calc.md", "# Calculator\nAdds numbers."));
        assertThat(plan.tasks()).extracting(PlanTask::id).containsExactly("tests", "impl", "readme");
        PlanTask impl = plan.task("impl").orElseThrow();
        assertThat(impl.kind()).isEqualTo(TaskKind.CODING);
        assertThat(impl.agent()).contains("claude");
        assertThat(impl.model()).contains("claude-sonnet-4-5");
        assertThat(impl.dependsOn()).containsExactly("tests");
        assertThat(impl.testFirst()).isTrue();
        assertThat(impl.description()).isEqualTo("Write add(a, b).");
        PlanTask tests = plan.task("tests").orElseThrow();
        assertThat(tests.role()).isEqualTo("implementer");
        assertThat(tests.description()).isEqualTo("Write tests");
        assertThat(tests.testFirst()).isFalse();
    }

    @Test
    void bareJsonWithCamelCaseKeysParses() {
        Plan plan = PlanParser.parse("r", """
                {"tasks": [{"id": "a", "title": "t", "kind": "search", "files": [], "acceptance": "found", "dependsOn": [], "testFirst": false}]}""");
        assertThat(plan.specs()).isEmpty();
        assertThat(plan.tasks().getFirst().role()).isEqualTo("librarian");
        assertThat(VALIDATOR.validate(plan)).isEmpty();
    }

    @Test
    void testPaths() {
        assertThat(List.of("src/test/java/FooTest.java", "tests/**", "pkg/calc_test.go", "test_calc.py", "web/a.spec.ts", "src/__tests__/x.js"))
                .allMatch(PlanValidator::isTestPath);
        assertThat(List.of("src/main/java/Foo.java", "specs/feature.md", "src/latest.py", "src/commit.py", "contest/a.py"))
                .noneMatch(PlanValidator::isTestPath);
    }
}
