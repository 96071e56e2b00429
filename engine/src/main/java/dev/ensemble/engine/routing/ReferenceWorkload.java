package dev.ensemble.engine.routing;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.io.BoundedText;
import dev.ensemble.core.io.ParseLimits;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.Evidence;
import dev.ensemble.core.routing.RouteDecision;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The reference workload of issue 4: a fixed list of tasks with their token counts and which models
 * pass each, run two ways at catalog prices.
 * <ul>
 *   <li><b>all-premium</b>: every task to the baseline model, once;</li>
 *   <li><b>router</b>: the {@link Router} with the given settings over the workload's models,
 *       learning online. Each task is routed with the evidence gathered so far; the chosen model's
 *       verdict comes from the fixture and is folded into the evidence for that model and kind; a
 *       failed task is re-routed with the models that already failed it left out (ensemble's
 *       fallback), until one passes or none is left. Every attempt's cost counts, failed or not.</li>
 * </ul>
 * Online rather than train-then-test: with twelve tasks a split would leave three to learn from,
 * and online is how the store's evidence is used in practice (every outcome moves the next route).
 * A failed attempt is charged the task's full tokens: the model read the context and wrote its
 * answer before the verdict was known.
 */
public final class ReferenceWorkload {
    public static final String RESOURCE = "reference-workload.yaml";
    /** The shipped fixtures by name: the reference mix, and the first, hard-skewed one kept as a stress case. */
    public static final Map<String, String> BUILT_IN = Map.of("reference", RESOURCE, "hard-skewed", "hard-skewed-workload.yaml");

    /** One task of the fixture; {@code passes} holds the ids of the models that pass it. */
    public record Task(String id, TaskKind kind, String text, double difficulty, long inputTokens, long outputTokens, Set<String> passes) {
        public Task {
            passes = Set.copyOf(passes);
        }
    }

    public record Workload(String baseline, List<String> models, List<Task> tasks) {
        public Workload {
            models = List.copyOf(models);
            tasks = List.copyOf(tasks);
        }
    }

    /** One model's try at one task. */
    public record Attempt(String model, boolean passed, double costUsd) {}

    /** A task as the router served it: the attempts in order, the last one passing unless all failed. */
    public record TaskResult(Task task, List<Attempt> attempts) {
        public TaskResult {
            attempts = List.copyOf(attempts);
        }

        public boolean passed() {
            return !attempts.isEmpty() && attempts.getLast().passed();
        }

        public boolean passedFirstTry() {
            return !attempts.isEmpty() && attempts.getFirst().passed();
        }

        public double costUsd() {
            return attempts.stream().mapToDouble(Attempt::costUsd).sum();
        }
    }

    /**
     * Both runs' figures. {@code routerFirstTry*}: only the router's first choice per task, no
     * fallback; {@code router*}: with fallback, what ensemble does. {@code oracleCostUsd}: every
     * task to the cheapest model that passes it, which no router can beat: the bound on the saving.
     */
    public record Report(String baseline, int tasks, double baselineCostUsd, int baselinePasses, double routerFirstTryCostUsd,
                         int routerFirstTryPasses, double routerCostUsd, int routerPasses, double oracleCostUsd,
                         List<TaskResult> results) {
        public Report {
            results = List.copyOf(results);
        }

        /** Saved by the router (with fallback) versus all-premium, in percent of the all-premium cost. */
        public double savingPercent() {
            return baselineCostUsd == 0 ? 0 : 100 * (baselineCostUsd - routerCostUsd) / baselineCostUsd;
        }

        /** The best any router could save on this workload, in percent. */
        public double oracleSavingPercent() {
            return baselineCostUsd == 0 ? 0 : 100 * (baselineCostUsd - oracleCostUsd) / baselineCostUsd;
        }

        /** Whether the router (with fallback) passes at least as many tasks as all-premium, so the saving compares like with like. */
        public boolean samePassRate() {
            return routerPasses >= baselinePasses;
        }
    }

    private ReferenceWorkload() {}

    /** The reference fixture shipped beside this class. */
    public static Workload standard() {
        return builtIn("reference");
    }

    /** @throws IllegalArgumentException for a name not in {@link #BUILT_IN}, naming those there are */
    public static Workload builtIn(String name) {
        String resource = BUILT_IN.get(name);
        if (resource == null) {
            throw new IllegalArgumentException("no built-in workload '" + name + "' (built in: " + String.join(", ", new java.util.TreeSet<>(BUILT_IN.keySet())) + ")");
        }
        try (InputStream in = ReferenceWorkload.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException when the file cannot be read, is not a plain file, or is over {@link ParseLimits#MAX_FILE_BYTES} */
    public static Workload load(Path file) throws IOException {
        return parse(BoundedText.read(file, ParseLimits.MAX_FILE_BYTES), file.toString());
    }

    /** @throws IllegalArgumentException naming the source and what is wrong */
    public static Workload parse(String yaml, String source) {
        JsonNode root;
        try {
            root = ParseLimits.yaml(ParseLimits.MAX_FILE_BYTES).readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": expected a mapping with baseline, models, tasks");
        String baseline = text(root, "baseline", source);
        List<String> models = new ArrayList<>();
        for (JsonNode m : root.path("models")) models.add(m.asString());
        if (models.isEmpty()) throw new IllegalArgumentException(source + ": models: expected a list of catalog model ids");
        if (!models.contains(baseline)) throw new IllegalArgumentException(source + ": the baseline " + baseline + " must be one of the models");
        List<Task> tasks = new ArrayList<>();
        for (JsonNode t : root.path("tasks")) {
            String id = text(t, "id", source);
            String where = source + ": task " + id;
            TaskKind kind;
            try {
                kind = TaskKind.fromKey(text(t, "kind", where));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            Set<String> passes = new LinkedHashSet<>();
            for (JsonNode p : t.path("passes")) {
                if (!models.contains(p.asString())) throw new IllegalArgumentException(where + ": passes names " + p.asString() + ", not one of the models");
                passes.add(p.asString());
            }
            long in = t.path("input_tokens").asLong(-1);
            long out = t.path("output_tokens").asLong(-1);
            if (in < 0 || out < 0) throw new IllegalArgumentException(where + ": input_tokens and output_tokens must be non-negative numbers");
            tasks.add(new Task(id, kind, t.path("task").asString(""), t.path("difficulty").asDouble(Double.NaN), in, out, passes));
        }
        if (tasks.isEmpty()) throw new IllegalArgumentException(source + ": tasks: expected a list of tasks");
        return new Workload(baseline, models, tasks);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isString() || v.asString().isBlank()) throw new IllegalArgumentException(where + ": " + field + " is missing");
        return v.asString();
    }

    /**
     * Runs the workload over the catalog's entries for its models.
     *
     * @throws IllegalArgumentException when a model is not in {@code catalog}
     */
    public static Report run(Workload workload, Map<String, ModelSpec> catalog, RoutingSettings settings) {
        List<ModelSpec> models = new ArrayList<>();
        for (String id : workload.models()) {
            ModelSpec spec = catalog.get(id);
            if (spec == null) throw new IllegalArgumentException("the workload names " + id + ", which is not in the catalog");
            models.add(spec);
        }
        ModelSpec baseline = catalog.get(workload.baseline());

        double baselineCost = 0, oracleCost = 0;
        int baselinePasses = 0;
        for (Task task : workload.tasks()) {
            baselineCost += Costs.expectedUsd(baseline, task.inputTokens(), task.outputTokens());
            if (task.passes().contains(baseline.id())) baselinePasses++;
            oracleCost += models.stream().filter(m -> task.passes().contains(m.id()))
                    .mapToDouble(m -> Costs.expectedUsd(m, task.inputTokens(), task.outputTokens())).min().orElse(0);
        }

        Map<String, Map<TaskKind, Evidence>> evidence = new HashMap<>();
        // The router reads the live map on every decision, so each verdict moves the next route.
        Router router = new Router(models, settings, () -> evidence);
        List<TaskResult> results = new ArrayList<>();
        double firstCost = 0, cost = 0;
        int firstPasses = 0, passes = 0;
        for (Task task : workload.tasks()) {
            List<Attempt> attempts = new ArrayList<>();
            Constraints constraints = Constraints.NONE;
            while (true) {
                RouteDecision decision = router.route(new RouteRequest(task.text().isEmpty() ? task.id() : task.text(), task.kind(),
                        task.inputTokens(), task.outputTokens(), constraints));
                if (decision.chosen().isEmpty()) break;
                Candidate chosen = decision.chosen().get();
                String id = chosen.model().id();
                boolean passed = task.passes().contains(id);
                double usd = Costs.expectedUsd(chosen.model(), task.inputTokens(), task.outputTokens());
                attempts.add(new Attempt(id, passed, usd));
                evidence.computeIfAbsent(id, m -> new EnumMap<>(TaskKind.class))
                        .merge(task.kind(), Evidence.NONE.plus(passed, usd, chosen.expectedSeconds()),
                                (old, one) -> old.plus(passed, usd, chosen.expectedSeconds()));
                if (passed) break;
                constraints = constraints.withUnavailable(id, "already failed this task");
            }
            TaskResult result = new TaskResult(task, attempts);
            results.add(result);
            if (!attempts.isEmpty()) firstCost += attempts.getFirst().costUsd();
            if (result.passedFirstTry()) firstPasses++;
            cost += result.costUsd();
            if (result.passed()) passes++;
        }
        return new Report(baseline.id(), workload.tasks().size(), baselineCost, baselinePasses, firstCost, firstPasses, cost, passes,
                oracleCost, results);
    }

    /** The models of a workload that pass a task by the fixture's rule: capability score for the kind ≥ difficulty. */
    public static Set<String> passesByRule(Task task, List<ModelSpec> models) {
        Set<String> out = new LinkedHashSet<>();
        for (ModelSpec m : models) {
            if (m.capability(task.kind()).map(c -> c.score() >= task.difficulty()).orElse(false)) out.add(m.id());
        }
        return out;
    }
}
