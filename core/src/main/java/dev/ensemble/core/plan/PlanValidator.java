package dev.ensemble.core.plan;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 *   <li>at least one task; unique ids; known roles; dependencies that name tasks; no cycles (each
 *       named: {@code a → b → a});</li>
 *   <li>owned paths inside the repository: relative, no {@code ..}, nothing in {@code .git/} or
 *       {@code .ensemble/}; a coding task owns at least one path;</li>
 *   <li>no path owned by two tasks that can run at the same time (neither depends, transitively,
 *       on the other): see {@link Ownership} for the conservative glob overlap;</li>
 *   <li>specs: files directly under {@code specs/} (not globs), each path once;</li>
 *   <li>test first. A plan expresses TDD with two tasks: a coding task that writes the tests (it
 *       owns test paths, see {@link #isTestPath}) and the implementation task, marked
 *       {@code test_first: true}, which depends on it (directly or through other tasks). The
 *       implementation cannot start before the tests exist.</li>
 * </ul>
 */
public final class PlanValidator {
    private static final Pattern TEST_FILE = Pattern.compile(
            "(.*(Test|Tests|IT|Spec)\\.[A-Za-z0-9]+|test_.*|.*_test\\.[A-Za-z0-9]+|.*\\.(test|spec)\\.[A-Za-z0-9]+)");
    private static final Set<String> TEST_FOLDERS = Set.of("test", "tests", "__tests__", "spec", "specs", "testing");

    private final Set<String> roles;

    public PlanValidator(Set<String> roles) {
        this.roles = Set.copyOf(roles);
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

    public List<PlanProblem> validate(Plan plan) {
        List<PlanProblem> problems = new ArrayList<>();
        specs(plan.specs(), problems);
        List<PlanTask> tasks = plan.tasks();
        if (tasks.isEmpty()) {
            problems.add(new PlanProblem("$.tasks", "the plan has no tasks: at least one is required"));
            return problems;
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            PlanTask task = tasks.get(i);
            Integer first = index.putIfAbsent(task.id(), i);
            if (first != null) {
                problems.add(new PlanProblem(at(i) + ".id", "duplicate task id '" + task.id() + "' (also $.tasks[" + first + "])"));
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            PlanTask task = tasks.get(i);
            if (!roles.contains(task.role())) {
                problems.add(new PlanProblem(at(i) + ".role", "unknown role '" + task.role() + "' (roles: "
                        + String.join(", ", roles.stream().sorted().toList()) + ")"));
            }
            for (int d = 0; d < task.dependsOn().size(); d++) {
                String dep = task.dependsOn().get(d);
                if (dep.equals(task.id())) {
                    problems.add(new PlanProblem(at(i) + ".depends_on[" + d + "]", "task '" + task.id() + "' depends on itself"));
                } else if (!index.containsKey(dep)) {
                    problems.add(new PlanProblem(at(i) + ".depends_on[" + d + "]", "unknown dependency '" + dep
                            + "' (task ids: " + String.join(", ", index.keySet()) + ")"));
                }
            }
            if (task.kind() == TaskKind.CODING && task.files().isEmpty()) {
                problems.add(new PlanProblem(at(i) + ".files", "a coding task must own at least one path or glob"));
            }
            for (int f = 0; f < task.files().size(); f++) {
                String where = at(i) + ".files[" + f + "]";
                pathProblem(task.files().get(f)).ifPresent(message -> problems.add(new PlanProblem(where, message)));
            }
        }
        Graph graph = new Graph(tasks, index);
        List<List<String>> cycles = graph.cycles();
        for (List<String> cycle : cycles) {
            if (cycle.size() == 2) continue;  // a self-dependency, reported above
            problems.add(new PlanProblem("$.tasks", "dependency cycle: " + String.join(" → ", cycle)));
        }
        ownership(tasks, graph, problems);
        if (cycles.isEmpty()) testFirst(tasks, graph, problems);
        return problems;
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
                problems.add(new PlanProblem(where, "spec '" + specs.get(i).path() + "' is outside specs/: spec files go under specs/"));
            } else if (Ownership.wildcardAt(path) >= 0) {
                problems.add(new PlanProblem(where, "spec '" + path + "' is a glob: a spec is one file"));
            } else if (!seen.add(path)) {
                problems.add(new PlanProblem(where, "spec '" + path + "' is listed twice"));
            }
        }
    }

    /** Why a path or glob is not inside the repository, if it is not. */
    static Optional<String> pathProblem(String raw) {
        String path = raw.strip();
        if (path.startsWith("/") || path.startsWith("\\") || path.startsWith("~") || path.matches("^[A-Za-z]:.*")) {
            return Optional.of("'" + raw + "' is an absolute path: paths are relative to the repository root");
        }
        String normal = Ownership.normalize(path.replace('\\', '/'));
        for (String segment : normal.split("/")) {
            if (segment.equals("..")) return Optional.of("'" + raw + "' leaves the repository ('..')");
        }
        String first = normal.split("/", 2)[0];
        if (first.equals(".git") || first.equals(".ensemble")) {
            return Optional.of("'" + raw + "' is inside " + first + "/, which no task may own");
        }
        if (normal.isEmpty() || normal.equals(".") || normal.equals("**") || normal.equals("*")) {
            return Optional.of("'" + raw + "' owns the whole repository: name the files or folders the task changes");
        }
        return Optional.empty();
    }

    private static void ownership(List<PlanTask> tasks, Graph graph, List<PlanProblem> problems) {
        for (int i = 0; i < tasks.size(); i++) {
            for (int j = i + 1; j < tasks.size(); j++) {
                PlanTask a = tasks.get(i);
                PlanTask b = tasks.get(j);
                if (a.id().equals(b.id()) || graph.reaches(a.id(), b.id()) || graph.reaches(b.id(), a.id())) continue;
                for (String fa : a.files()) {
                    for (String fb : b.files()) {
                        if (pathProblem(fa).isPresent() || pathProblem(fb).isPresent()) continue;
                        if (Ownership.overlap(fa, fb)) {
                            problems.add(new PlanProblem(at(j) + ".files", "'" + fb + "' (task '" + b.id() + "') overlaps '" + fa
                                    + "' (task '" + a.id() + "'), and the two tasks can run at the same time: give the path to one "
                                    + "task, or make one depend on the other"));
                        }
                    }
                }
            }
        }
    }

    private static void testFirst(List<PlanTask> tasks, Graph graph, List<PlanProblem> problems) {
        for (int i = 0; i < tasks.size(); i++) {
            PlanTask task = tasks.get(i);
            if (!task.testFirst()) continue;
            boolean covered = false;
            for (PlanTask other : tasks) {
                if (other != task && other.kind() == TaskKind.CODING && graph.reaches(task.id(), other.id())
                        && other.files().stream().anyMatch(PlanValidator::isTestPath)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                problems.add(new PlanProblem(at(i) + ".test_first", "task '" + task.id() + "' is test_first, but no task it depends on "
                        + "writes tests: add a coding task that owns the test files (e.g. src/test/..., tests/..., *_test.py) "
                        + "and list it in depends_on"));
            }
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

    /** The dependency graph over unique ids; unknown dependencies are left out (reported elsewhere). */
    private static final class Graph {
        private final Map<String, List<String>> edges = new LinkedHashMap<>();
        private final Map<String, Set<String>> reach = new HashMap<>();

        Graph(List<PlanTask> tasks, Map<String, Integer> index) {
            for (PlanTask task : tasks) {
                List<String> deps = edges.computeIfAbsent(task.id(), k -> new ArrayList<>());
                for (String dep : task.dependsOn()) if (index.containsKey(dep) && !deps.contains(dep)) deps.add(dep);
            }
        }

        /** Whether {@code from} depends, directly or transitively, on {@code to}. */
        boolean reaches(String from, String to) {
            return reach.computeIfAbsent(from, this::closure).contains(to);
        }

        private Set<String> closure(String from) {
            Set<String> seen = new LinkedHashSet<>();
            List<String> stack = new ArrayList<>(edges.getOrDefault(from, List.of()));
            while (!stack.isEmpty()) {
                String next = stack.remove(stack.size() - 1);
                if (seen.add(next)) stack.addAll(edges.getOrDefault(next, List.of()));
            }
            return seen;
        }

        /** Each elementary cycle found by depth-first search, once, as a closed walk: a, b, a. */
        List<List<String>> cycles() {
            List<List<String>> found = new ArrayList<>();
            Set<Set<String>> seen = new HashSet<>();
            Set<String> done = new HashSet<>();
            for (String start : edges.keySet()) dfs(start, new ArrayList<>(), done, found, seen);
            return found;
        }

        private void dfs(String node, List<String> path, Set<String> done, List<List<String>> found, Set<Set<String>> seen) {
            int onPath = path.indexOf(node);
            if (onPath >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(onPath, path.size()));
                if (seen.add(new HashSet<>(cycle))) {
                    cycle.add(node);
                    found.add(cycle);
                }
                return;
            }
            if (done.contains(node)) return;
            path.add(node);
            for (String dep : edges.getOrDefault(node, List.of())) dfs(dep, path, done, found, seen);
            path.remove(path.size() - 1);
            done.add(node);
        }
    }
}
