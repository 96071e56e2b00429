package dev.ensemble.core.plan;

import static dev.ensemble.core.plan.BadPlansTest.plan;
import static dev.ensemble.core.plan.BadPlansTest.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.BuiltinCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Plans as a hostile planner or file would write them: ids that would name paths outside the
 * worktree folder or the run branch, hints naming nothing, sizes that would keep validation busy
 * for minutes; and the ownership index checked against the plain all-pairs definition.
 */
class HostilePlansTest {
    private static final PlanValidator VALIDATOR = PlanValidator.withDefaultRoles();

    private static List<PlanProblem> problems(PlanValidator validator, String json) {
        try {
            return validator.validate(PlanParser.parse("req", json));
        } catch (PlanParseException e) {
            return e.problems();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../../tmp/x", "_run", "a b", "-rf", ".hidden", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ünïcode"})
    void unsafeIdsAreRefusedUpFront(String id) {
        String json = plan(task("ok", "src/ok.py", "")).replace("\"id\": \"ok\"", "\"id\": \"" + id + "\"");
        assertThat(problems(VALIDATOR, json)).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("$.tasks[0].id");
            assertThat(p.message()).contains("is not a safe identifier: 1 to 64 letters, digits, '.', '_' or '-'");
        });
    }

    @Test
    void anIdWithANewlineIsShownEscaped() {
        String json = plan(task("ok", "src/ok.py", "")).replace("\"id\": \"ok\"", "\"id\": \"a\\nb\\u0007\"");
        assertThat(problems(VALIDATOR, json)).extracting(PlanProblem::message)
                .containsExactly("task id 'a\\nb\\u0007' is not a safe identifier: 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                        + "letter or digit (an id names a git branch and a folder), e.g. 'add-login'");
    }

    @Test
    void idsGitRefusesAndIdsDifferingOnlyInCaseAreRefused() {
        assertThat(PlanValidator.idProblem("a..b")).hasValueSatisfying(m -> assertThat(m).contains("contains '..'"));
        assertThat(PlanValidator.idProblem("x.lock")).hasValueSatisfying(m -> assertThat(m).contains("'.lock'"));
        assertThat(PlanValidator.idProblem("x.")).hasValueSatisfying(m -> assertThat(m).contains("ends with '.'"));
        assertThat(PlanValidator.idProblem("add-login_2.v1")).isEmpty();
        assertThat(problems(VALIDATOR, plan(task("Login", "src/a.py", ""), task("login", "src/b.py", ""))))
                .containsExactly(new PlanProblem("$.tasks[1].id", "task id 'login' differs from 'Login' ($.tasks[0]) only in case: "
                        + "ids name branches and folders, and some file systems do not tell case apart"));
    }

    @Test
    void unknownAgentAndModelHintsAreRefusedWhenTheValidatorKnowsThem() {
        String json = plan("""
                {"id": "a", "title": "t", "kind": "coding", "files": ["src/a.py"], "acceptance": "ok", "agent": "robot", "model": "gpt-17"}""");
        assertThat(problems(VALIDATOR, json)).as("without the lists, hints are not judged").isEmpty();
        PlanValidator knowing = VALIDATOR.withAgents(Set.of("builtin", "claude")).withModels(BuiltinCatalog.load());
        List<PlanProblem> problems = problems(knowing, json);
        assertThat(problems).extracting(PlanProblem::where).containsExactly("$.tasks[0].agent", "$.tasks[0].model");
        assertThat(problems.get(0).message()).isEqualTo("unknown agent 'robot' (agents: builtin, claude; or leave agent out)");
        assertThat(problems.get(1).message()).startsWith("unknown model or alias 'gpt-17' (known: ").endsWith("; or leave model out)");
        String good = json.replace("robot", "claude").replace("gpt-17", "coding-model");
        assertThat(problems(knowing, good)).isEmpty();
    }

    @Test
    void aGlobTheEnforcerCannotCompileIsRefused() {
        assertThat(problems(VALIDATOR, plan(task("a", "src/[z-a]*.py", ""))))
                .containsExactly(new PlanProblem("$.tasks[0].files[0]",
                        "'src/[z-a]*.py' is not a valid glob: the character class [z-a] has a range that runs backwards (write [a-z], not [z-a])"));
        assertThat(OwnedPaths.problem("src/[a-z]*.py")).isEmpty();
        assertThat(OwnedPaths.problem("src/[!x]/a")).isEmpty();
        assertThat(OwnedPaths.problem("src/[unclosed")).as("a [ without ] is a literal").isEmpty();
    }

    @Test
    void aPlanOverTheSizeLimitIsRefusedBeforeItIsRead() {
        PlanLimits small = new PlanLimits(1_000, 3);
        String big = plan(task("a", "src/a.py", "")) + " ".repeat(1_000);
        assertThatThrownBy(() -> PlanParser.parse("r", big, small)).isInstanceOf(PlanParseException.class)
                .hasMessageContaining("the plan is at least 1,").hasMessageContaining("over the limit of 1,000 bytes for a plan");
        String four = plan(task("a", "src/a.py", ""), task("b", "src/b.py", ""), task("c", "src/c.py", ""), task("d", "src/d.py", ""));
        assertThatThrownBy(() -> PlanParser.parse("r", four, small)).isInstanceOf(PlanParseException.class)
                .hasMessage("$.tasks: the plan has 4 tasks, over the limit of 3 tasks for a plan: group the work into fewer, larger tasks, "
                        + "or split it into several runs");
        Plan parsed = PlanParser.parse("r", four);
        assertThat(VALIDATOR.withLimits(small).validate(parsed)).extracting(PlanProblem::where).containsExactly("$.tasks");
        assertThat(PlanLimits.DEFAULT.textProblem("é".repeat(2_200_000))).as("counted in UTF-8 bytes, not characters").isPresent();
    }

    @Test
    void problemsAreListedUpToALimitThenCounted() {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 30; i++) tasks.add(task("t" + i, "src/shared.py", ""));
        List<PlanProblem> problems = problems(VALIDATOR, plan(tasks.toArray(String[]::new)));
        assertThat(problems).hasSize(PlanValidator.MAX_LISTED + 1);
        assertThat(problems.getLast()).isEqualTo(new PlanProblem("$", "and " + (30 * 29 / 2 - PlanValidator.MAX_LISTED)
                + " more problems like these, not listed"));
    }

    @Test
    void aKnotOfCyclesIsNamedWithAllItsTasks() {
        List<PlanProblem> problems = problems(VALIDATOR, plan(task("a", "src/a.py", "b"), task("b", "src/b.py", "a, c"),
                task("c", "src/c.py", "d"), task("d", "src/d.py", "b")));
        assertThat(problems).containsExactly(new PlanProblem("$.tasks", "dependency cycle: a → b → a (and c, d, in cycles with these)"));
    }

    @Test
    void aLongChainIsValidatedWithoutOverflowingTheStack() {
        List<PlanTask> tasks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            tasks.add(new PlanTask("t" + i, "t", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), List.of("src/f" + i + ".py"),
                    i == 0 ? List.of() : List.of("t" + (i - 1)), "ok", false, "d"));
        }
        PlanValidator unlimited = VALIDATOR.withLimits(new PlanLimits(Long.MAX_VALUE, Integer.MAX_VALUE));
        assertThat(unlimited.validate(new Plan("r", List.of(), tasks))).isEmpty();
        List<PlanTask> looped = new ArrayList<>(tasks);
        looped.set(0, new PlanTask("t0", "t", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), List.of("src/f0.py"),
                List.of("t9999"), "ok", false, "d"));
        assertThat(unlimited.validate(new Plan("r", List.of(), looped))).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("dependency cycle: t0 → t9999 → t9998"));
    }

    /**
     * The index must find exactly the overlaps the definition does: every pair of tasks that can
     * run at the same time, every pair of their paths that {@link Ownership#overlap} says meet.
     */
    @Test
    void theOwnershipIndexFindsWhatComparingEveryPairFinds() {
        Random random = new Random(42);
        String[] parts = {"src", "src/a", "src/ab", "src/a/b", "docs", "doc", "src/a.py", "src/a/b.py", "lib"};
        String[] tails = {"", "/**", "/*.py", "*", "/x.md", "?", "/[ab]*"};
        for (int round = 0; round < 200; round++) {
            List<PlanTask> tasks = new ArrayList<>();
            int n = 2 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                List<String> files = new ArrayList<>();
                for (int f = 0, k = 1 + random.nextInt(3); f < k; f++) {
                    files.add(parts[random.nextInt(parts.length)] + tails[random.nextInt(tails.length)]);
                }
                List<String> deps = new ArrayList<>();
                for (int d = 0; d < i; d++) if (random.nextInt(4) == 0) deps.add("t" + d);
                tasks.add(new PlanTask("t" + i, "t", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(), files, deps,
                        "ok", false, "d"));
            }
            List<String> expected = bruteForceOverlaps(tasks);
            List<String> found = VALIDATOR.validate(new Plan("r", List.of(), tasks)).stream()
                    .filter(p -> p.message().contains(" overlaps ")).map(PlanProblem::toString).toList();
            assertThat(found).as("round %d: %s", round, tasks).containsExactlyElementsOf(expected.subList(0, Math.min(expected.size(),
                    PlanValidator.MAX_LISTED)));
        }
    }

    /** The definition, as the validator used to compute it: every pair, in plan order. */
    private static List<String> bruteForceOverlaps(List<PlanTask> tasks) {
        Map<String, List<String>> deps = new HashMap<>();
        for (PlanTask t : tasks) deps.put(t.id(), t.dependsOn());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            for (int j = i + 1; j < tasks.size(); j++) {
                PlanTask a = tasks.get(i);
                PlanTask b = tasks.get(j);
                if (reaches(deps, a.id(), b.id()) || reaches(deps, b.id(), a.id())) continue;
                for (String fa : a.files()) {
                    for (String fb : b.files()) {
                        if (PlanValidator.pathProblem(fa).isPresent() || PlanValidator.pathProblem(fb).isPresent()) continue;
                        if (Ownership.overlap(fa, fb)) {
                            out.add("$.tasks[" + j + "].files: '" + fb + "' (task '" + b.id() + "') overlaps '" + fa + "' (task '" + a.id()
                                    + "'), and the two tasks can run at the same time: give the path to one task, or make one depend on the other");
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean reaches(Map<String, List<String>> deps, String from, String to) {
        List<String> stack = new ArrayList<>(deps.get(from));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!stack.isEmpty()) {
            String next = stack.removeLast();
            if (next.equals(to)) return true;
            if (seen.add(next)) stack.addAll(deps.getOrDefault(next, List.of()));
        }
        return false;
    }
}
