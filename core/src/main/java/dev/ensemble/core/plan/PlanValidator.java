package dev.ensemble.core.plan;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Role;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a parsed plan can be run; returns every problem at once, each at a JSON path into the
 * planner's answer, so one repair turn can fix them all.
 *
 * <ul>
 *   <li>at most {@link PlanLimits#maxTasks()} tasks, at least one; ids that are safe identifiers
 *       (they name a branch, a worktree folder and report entries), unique even ignoring case; known
 *       roles; dependencies that name tasks; no cycles (each named: {@code a → b → a});</li>
 *   <li>hints that name something: an {@code agent} ensemble knows, a {@code model} or alias of the
 *       catalog (when the validator was given them; a plan from a model is hostile input, and a
 *       hint found wrong only at dispatch leaves rows and reports behind);</li>
 *   <li>owned paths inside the repository: relative, no {@code ..}, nothing in {@code .git/} or
 *       {@code .ensemble/}, globs the enforcer can compile (see {@link OwnedPaths}); a coding task
 *       owns at least one path;</li>
 *   <li>no path owned by two tasks that can run at the same time (neither depends, transitively,
 *       on the other): see {@link Ownership} for the conservative glob overlap;</li>
 *   <li>specs: files directly under {@code specs/} (not globs), each path once;</li>
 *   <li>test first. A plan expresses TDD with two tasks: a coding task that writes the tests (it
 *       owns test paths, see {@link #isTestPath}) and the implementation task, marked
 *       {@code test_first: true}, which depends on it (directly or through other tasks). The
 *       implementation cannot start before the tests exist.</li>
 * </ul>
 *
 * <p>Close to linear in the plan's size: ownership is compared through an index of the owned
 * paths' literal prefixes, not task against task, and the dependency closure is one bit set per
 * task (see {@link PlanGraph}). At most {@value #MAX_LISTED} problems are listed, then a count.
 */
public final class PlanValidator {
    /** At most this many problems are listed (then a count): a repair turn needs the kinds of mistake, not 10,000 of one. */
    static final int MAX_LISTED = 100;
    /** Task ids name a git branch ({@code ensemble/<run>/<id>}), a worktree folder and report files. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int NAMES_SHOWN = 20;
    private static final Pattern TEST_FILE = Pattern.compile(
            "(.*(Test|Tests|IT|Spec)\\.[A-Za-z0-9]+|test_.*|.*_test\\.[A-Za-z0-9]+|.*\\.(test|spec)\\.[A-Za-z0-9]+)");
    private static final Set<String> TEST_FOLDERS = Set.of("test", "tests", "__tests__", "spec", "specs", "testing");

    private final Set<String> roles;
    private final PlanLimits limits;
    private final Optional<Set<String>> agents;
    private final Optional<Set<String>> models;

    public PlanValidator(Set<String> roles) {
        this(roles, PlanLimits.DEFAULT, Optional.empty(), Optional.empty());
    }

    private PlanValidator(Set<String> roles, PlanLimits limits, Optional<Set<String>> agents, Optional<Set<String>> models) {
        this.roles = Set.copyOf(roles);
        this.limits = limits;
        this.agents = agents;
        this.models = models;
    }

    /** Against the default roles (planner, implementer, reviewer, librarian). */
    public static PlanValidator withDefaultRoles() {
        return forRoles(Roles.defaults());
    }

    public static PlanValidator forRoles(Roles roles) {
        Set<String> ids = new HashSet<>();
        for (Role role : roles.all()) ids.add(role.id());
        return new PlanValidator(ids);
    }

    /** This validator with other size limits. */
    public PlanValidator withLimits(PlanLimits newLimits) {
        return new PlanValidator(roles, newLimits, agents, models);
    }

    /** This validator, also refusing an {@code agent} hint that is none of {@code names}. */
    public PlanValidator withAgents(Set<String> names) {
        return new PlanValidator(roles, limits, Optional.of(Set.copyOf(names)), models);
    }

    /** This validator, also refusing a {@code model} hint that is neither a model nor an alias of {@code catalog}. */
    public PlanValidator withModels(Catalog catalog) {
        Set<String> names = new HashSet<>(catalog.models().keySet());
        names.addAll(catalog.aliases().keySet());
        return new PlanValidator(roles, limits, agents, Optional.of(Set.copyOf(names)));
    }

    public PlanLimits limits() {
        return limits;
    }

    public List<PlanProblem> validate(Plan plan) {
        List<PlanProblem> problems = new ArrayList<>();
        List<PlanTask> tasks = plan.tasks();
        if (tasks.size() > limits.maxTasks()) {
            // Nothing else is checked: the plan has to shrink first, and checking it all is the cost the limit avoids.
            return List.of(new PlanProblem("$.tasks", limits.tasksProblem(tasks.size())));
        }
        specs(plan.specs(), problems);
        if (tasks.isEmpty()) {
            problems.add(new PlanProblem("$.tasks", "the plan has no tasks: at least one is required"));
            return problems;
        }
        Map<String, Integer> index = ids(tasks, problems);
        List<List<Optional<String>>> pathProblems = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            PlanTask task = tasks.get(i);
            if (!roles.contains(task.role())) {
                problems.add(new PlanProblem(at(i) + ".role", "unknown role '" + printable(task.role()) + "' (roles: "
                        + String.join(", ", roles.stream().sorted().toList()) + ")"));
            }
            hints(task, i, problems);
            for (int d = 0; d < task.dependsOn().size(); d++) {
                String dep = task.dependsOn().get(d);
                if (dep.equals(task.id())) {
                    problems.add(new PlanProblem(at(i) + ".depends_on[" + d + "]", "task '" + printable(task.id()) + "' depends on itself"));
                } else if (!index.containsKey(dep)) {
                    problems.add(new PlanProblem(at(i) + ".depends_on[" + d + "]", "unknown dependency '" + printable(dep)
                            + "' (task ids: " + listed(index.keySet()) + ")"));
                }
            }
            if (task.kind() == TaskKind.CODING && task.files().isEmpty()) {
                problems.add(new PlanProblem(at(i) + ".files", "a coding task must own at least one path or glob"));
            }
            List<Optional<String>> bad = new ArrayList<>(task.files().size());
            for (int f = 0; f < task.files().size(); f++) {
                Optional<String> problem = pathProblem(task.files().get(f));
                bad.add(problem);
                String where = at(i) + ".files[" + f + "]";
                problem.ifPresent(message -> problems.add(new PlanProblem(where, message)));
            }
            pathProblems.add(bad);
        }
        PlanGraph graph = new PlanGraph(tasks);
        List<PlanGraph.Cycle> cycles = graph.cycles();
        for (PlanGraph.Cycle cycle : cycles) {
            problems.add(new PlanProblem("$.tasks", "dependency cycle: " + walk(cycle.walk())
                    + (cycle.alsoInKnot().isEmpty() ? "" : " (and " + listed(cycle.alsoInKnot()) + ", in cycles with these)")));
        }
        int unlisted = ownership(tasks, pathProblems, graph, problems);
        if (cycles.isEmpty()) testFirst(tasks, graph, problems);
        int total = problems.size() + unlisted;
        if (total <= MAX_LISTED) return problems;
        List<PlanProblem> listed = new ArrayList<>(problems.subList(0, MAX_LISTED));
        listed.add(new PlanProblem("$", "and " + (total - MAX_LISTED) + " more problems like these, not listed"));
        return listed;
    }

    /** Each id once (its first task), after checking that it is safe and unique, also ignoring case. */
    private static Map<String, Integer> ids(List<PlanTask> tasks, List<PlanProblem> problems) {
        Map<String, Integer> index = new LinkedHashMap<>();
        Map<String, Integer> folded = new HashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            String id = tasks.get(i).id();
            int row = i;
            idProblem(id).ifPresent(message -> problems.add(new PlanProblem(at(row) + ".id", message)));
            Integer first = index.putIfAbsent(id, i);
            if (first != null) {
                problems.add(new PlanProblem(at(i) + ".id", "duplicate task id '" + printable(id) + "' (also $.tasks[" + first + "])"));
                continue;
            }
            Integer same = folded.putIfAbsent(id.toLowerCase(Locale.ROOT), i);
            if (same != null) {
                problems.add(new PlanProblem(at(i) + ".id", "task id '" + printable(id) + "' differs from '" + printable(tasks.get(same).id())
                        + "' ($.tasks[" + same + "]) only in case: ids name branches and folders, and some file systems do not tell case apart"));
            }
        }
        return index;
    }

    /** Why {@code id} cannot name a task's branch and folder, if it cannot. */
    public static Optional<String> idProblem(String id) {
        String shown = "task id '" + printable(id) + "'";
        if (!SAFE_ID.matcher(id).matches()) {
            return Optional.of(shown + " is not a safe identifier: 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit (an id names a git branch and a folder), e.g. 'add-login'");
        }
        if (id.contains("..")) return Optional.of(shown + " contains '..': an id names a git branch and a folder");
        if (id.endsWith(".") || id.toLowerCase(Locale.ROOT).endsWith(".lock")) {
            return Optional.of(shown + " ends with '.' or '.lock', which git refuses in a branch name");
        }
        return Optional.empty();
    }

    private void hints(PlanTask task, int i, List<PlanProblem> problems) {
        if (agents.isPresent() && task.agent().isPresent() && !agents.get().contains(task.agent().get())) {
            problems.add(new PlanProblem(at(i) + ".agent", "unknown agent '" + printable(task.agent().get()) + "' (agents: "
                    + String.join(", ", agents.get().stream().sorted().toList()) + "; or leave agent out)"));
        }
        if (models.isPresent() && task.model().isPresent() && !models.get().contains(task.model().get())) {
            problems.add(new PlanProblem(at(i) + ".model", "unknown model or alias '" + printable(task.model().get())
                    + "' (known: " + listed(models.get().stream().sorted().toList()) + "; or leave model out)"));
        }
    }

    private static void specs(List<SpecFile> specs, List<PlanProblem> problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String where = "$.specs[" + i + "].path";
            String path = Ownership.normalize(specs.get(i).path());
            var bad = pathProblem(path);
            if (bad.isPresent()) {
                problems.add(new PlanProblem(where, bad.get()));
            } else if (!path.startsWith("specs/") || path.length() == "specs/".length()) {
                problems.add(new PlanProblem(where, "spec '" + printable(specs.get(i).path()) + "' is outside specs/: spec files go under specs/"));
            } else if (Ownership.wildcardAt(path) >= 0) {
                problems.add(new PlanProblem(where, "spec '" + printable(path) + "' is a glob: a spec is one file"));
            } else if (!seen.add(path)) {
                problems.add(new PlanProblem(where, "spec '" + printable(path) + "' is listed twice"));
            }
        }
    }

    /** Why a path or glob is not inside the repository, or owns all of it, if it is or does. */
    static Optional<String> pathProblem(String raw) {
        Optional<String> problem = OwnedPaths.problem(raw);
        if (problem.isPresent()) return problem;
        if (OwnedPaths.wholeRepository(raw)) {
            return Optional.of("'" + raw + "' owns the whole repository: name the files or folders the task changes");
        }
        return Optional.empty();
    }

    /** One owned path of one task, by its literal prefix (cut at the first wildcard). */
    private record Owned(String prefix, String pattern, int task, int file) {}

    /** Two parallel tasks owning overlapping paths: task {@code a} before task {@code b} in the plan. */
    private record Conflict(int a, int aFile, int b, int bFile) {}

    /**
     * Overlaps between tasks that can run at the same time; returns how many were found beyond
     * those added to {@code problems}. Two owned paths can only overlap when
     * one's literal prefix starts with the other's (see {@link Ownership}), and in sorted order the
     * prefixes extending a prefix follow it in one block: each path is compared with that block
     * only, not with every other path.
     */
    private static int ownership(List<PlanTask> tasks, List<List<Optional<String>>> pathProblems, PlanGraph graph,
                                 List<PlanProblem> problems) {
        List<Owned> owned = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            List<String> files = tasks.get(i).files();
            for (int f = 0; f < files.size(); f++) {
                if (pathProblems.get(i).get(f).isPresent()) continue;
                String normal = Ownership.normalize(files.get(f));
                int wildcard = Ownership.wildcardAt(normal);
                owned.add(new Owned(wildcard < 0 ? normal : normal.substring(0, wildcard), files.get(f), i, f));
            }
        }
        owned.sort(Comparator.comparing(Owned::prefix).thenComparingInt(Owned::task).thenComparingInt(Owned::file));
        List<Conflict> conflicts = new ArrayList<>();
        for (int x = 0; x < owned.size(); x++) {
            Owned first = owned.get(x);
            for (int y = x + 1; y < owned.size() && owned.get(y).prefix().startsWith(first.prefix()); y++) {
                Owned second = owned.get(y);
                Owned a = first.task() <= second.task() ? first : second;
                Owned b = a == first ? second : first;
                PlanTask ta = tasks.get(a.task());
                PlanTask tb = tasks.get(b.task());
                if (a.task() == b.task() || ta.id().equals(tb.id())) continue;
                if (!Ownership.overlap(a.pattern(), b.pattern())) continue;
                int na = graph.node(ta.id());
                int nb = graph.node(tb.id());
                if (graph.reaches(na, nb) || graph.reaches(nb, na)) continue;
                conflicts.add(new Conflict(a.task(), a.file(), b.task(), b.file()));
            }
        }
        conflicts.sort(Comparator.comparingInt(Conflict::a).thenComparingInt(Conflict::b).thenComparingInt(Conflict::aFile)
                .thenComparingInt(Conflict::bFile));
        // Only what can be listed becomes text: a plan of 1,000 tasks that all own src/** has half a million conflicts.
        for (Conflict c : conflicts.subList(0, Math.min(conflicts.size(), MAX_LISTED + 1))) {
            PlanTask a = tasks.get(c.a());
            PlanTask b = tasks.get(c.b());
            problems.add(new PlanProblem(at(c.b()) + ".files", "'" + printable(b.files().get(c.bFile())) + "' (task '" + printable(b.id())
                    + "') overlaps '" + printable(a.files().get(c.aFile())) + "' (task '" + printable(a.id())
                    + "'), and the two tasks can run at the same time: give the path to one task, or make one depend on the other"));
        }
        return Math.max(0, conflicts.size() - (MAX_LISTED + 1));
    }

    private static void testFirst(List<PlanTask> tasks, PlanGraph graph, List<PlanProblem> problems) {
        BitSet writesTests = new BitSet(graph.size());
        for (PlanTask task : tasks) {
            if (task.kind() == TaskKind.CODING && task.files().stream().anyMatch(PlanValidator::isTestPath)) writesTests.set(graph.node(task.id()));
        }
        for (int i = 0; i < tasks.size(); i++) {
            PlanTask task = tasks.get(i);
            if (!task.testFirst() || graph.dependencies(graph.node(task.id())).intersects(writesTests)) continue;
            problems.add(new PlanProblem(at(i) + ".test_first", "task '" + printable(task.id()) + "' is test_first, but no task it depends on "
                    + "writes tests: add a coding task that owns the test files (e.g. src/test/..., tests/..., *_test.py) "
                    + "and list it in depends_on"));
        }
    }

    /** A path or glob that names tests: a folder such as {@code test/} or {@code __tests__/}, or a name such as {@code FooTest.java}, {@code test_foo.py}, {@code foo.spec.ts}. */
    public static boolean isTestPath(String pattern) {
        String[] segments = Ownership.normalize(pattern).split("/");
        for (int s = 0; s < segments.length; s++) {
            String folder = segments[s].toLowerCase(Locale.ROOT);
            // specs/ at the top is where plans put their specs, not tests.
            if (TEST_FOLDERS.contains(folder) && !(s == 0 && folder.equals("specs"))) return true;
        }
        return TEST_FILE.matcher(segments[segments.length - 1]).matches();
    }

    private static String at(int i) {
        return "$.tasks[" + i + "]";
    }

    /**
     * Text from the plan as it may be shown in a problem: control characters escaped (an id with
     * a newline must not start a line of its own in the terminal or the repair prompt), and cut
     * at 80 characters.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < text.length() && out.length() < 80; i++) {
            char c = text.charAt(i);
            if (c == '\n') out.append("\\n");
            else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else out.append(c);
        }
        return i < text.length() ? out + "…" : out.toString();
    }

    /** A cycle as {@code a → b → a}; a long one with its middle left out. */
    private static String walk(List<String> ids) {
        List<String> shown = ids.stream().map(PlanValidator::printable).toList();
        if (shown.size() <= NAMES_SHOWN) return String.join(" → ", shown);
        return String.join(" → ", shown.subList(0, NAMES_SHOWN / 2)) + " → … (" + (shown.size() - NAMES_SHOWN / 2 - 2)
                + " more) → " + String.join(" → ", shown.subList(shown.size() - 2, shown.size()));
    }

    /** Names for a message, at most {@value #NAMES_SHOWN} of them, then how many more. */
    private static String listed(Collection<String> names) {
        List<String> shown = names.stream().limit(NAMES_SHOWN).map(PlanValidator::printable).toList();
        return String.join(", ", shown) + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "");
    }
}
