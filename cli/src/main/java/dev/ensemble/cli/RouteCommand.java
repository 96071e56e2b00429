package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.EnsembleConfig;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Classification;
import dev.ensemble.core.routing.Classifier;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.CurvePoint;
import dev.ensemble.core.routing.EvalData;
import dev.ensemble.core.routing.EvalPrices;
import dev.ensemble.core.routing.EvalReport;
import dev.ensemble.core.routing.Exclusion;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.RouteDecision;
import dev.ensemble.core.routing.RouteEval;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RouterCurve;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.core.routing.RoutingStrategy;
import dev.ensemble.engine.routing.CurvePlot;
import dev.ensemble.engine.routing.ReferenceWorkload;
import dev.ensemble.engine.store.StoreEvidence;
import dev.ensemble.llm.ModelAvailability;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "route", mixinStandardHelpOptions = true,
        subcommands = {RouteCommand.Eval.class, RouteCommand.Workload.class},
        description = {"Show which model would serve a task, and why.",
                "The task kind, the chosen model and the runners-up, and every model left out with the reason. Nothing "
                        + "is sent to any model.",
                "`ensemble route eval --data DIR` measures routing on recorded outcomes instead; `ensemble route "
                        + "workload` runs the reference workload against all-premium."})
final class RouteCommand implements Callable<Integer> {
    /** Assumed output when --out is not given: a medium-sized answer or patch. */
    static final long DEFAULT_OUTPUT_TOKENS = 2_000;

    @ParentCommand Main main;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TASK", description = "The task, in words.")
    String task;

    @Option(names = "--kind", paramLabel = "K", description = "Skip classification: planning, coding, review or search.")
    String kind;

    @Option(names = "--role", paramLabel = "R", description = "Route for a role (planner, implementer, reviewer, librarian, or one from config); implies its kind.")
    String role;

    @Option(names = "--local", description = "Only local models, whatever the configuration says.")
    boolean local;

    @Option(names = "--tools", description = "The task needs tool calling.")
    boolean tools;

    @Option(names = "--in", paramLabel = "TOKENS", description = "Estimated input tokens (default: the task and the role's system prompt).")
    Long inputTokens;

    @Option(names = "--out", paramLabel = "TOKENS", description = "Estimated output tokens (default: " + DEFAULT_OUTPUT_TOKENS + ").")
    Long outputTokens;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        if (task == null || task.isBlank()) {
            spec.commandLine().usage(term.err());
            throw new UserInputException("give a task in words, e.g. ensemble route \"fix the failing date test\"");
        }
        EnsembleConfig config = app.config();
        Roles roles = app.roles();
        RoutingSettings settings = app.routing();

        Optional<Role> chosenRole = Optional.empty();
        if (role != null) {
            try {
                chosenRole = Optional.of(roles.require(role));
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
        }
        Classification classification;
        if (kind != null) {
            try {
                classification = Classification.overridden(TaskKind.fromKey(kind), "--kind " + kind);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--kind: " + e.getMessage());
            }
        } else if (chosenRole.isPresent()) {
            classification = Classification.overridden(chosenRole.get().kind(), "--role " + role);
        } else {
            classification = Classifier.standard().classify(task);
        }
        Role serving = chosenRole.orElseGet(() -> roles.forKind(classification.kind()).orElse(null));

        long in = inputTokens != null ? inputTokens : TokenEstimator.count(task) + (serving == null ? 0 : TokenEstimator.count(serving.systemPrompt()));
        long out = outputTokens != null ? outputTokens : DEFAULT_OUTPUT_TOKENS;
        if (in < 0 || out < 0) throw new UserInputException("--in and --out cannot be negative");

        boolean localOnly = local || config.localOnly();
        Constraints constraints = Constraints.NONE.withLocalOnly(localOnly).withNeedsTools(tools);
        List<ModelSpec> models = List.copyOf(config.catalog().models().values());
        for (ModelSpec spec : models) {
            if (localOnly && !spec.local()) continue;  // excluded anyway; no need to ask
            ModelAvailability availability = app.models().availability(spec);
            if (!availability.usable()) constraints = constraints.withUnavailable(spec.id(), availability.reason());
        }
        // Past outcomes recorded in the store move each model's expected quality for the kind.
        Router router = new Router(models, settings, new StoreEvidence(app.storeForReading()));
        RouteDecision decision = router.route(new RouteRequest(task, classification.kind(), in, out, constraints));

        if (json) {
            term.printJson(toJson(classification, serving, in, out, localOnly, decision));
            return decision.chosen().isPresent() ? ExitCodes.OK : noneChosen(app, models, localOnly, decision);
        }
        term.out().println(term.bold("kind: ") + classification.kind().key()
                + term.dim(String.format(Locale.ROOT, " (%.0f%% — %s)", 100 * classification.confidence(), classification.reason())));
        if (serving != null) {
            term.out().println(term.bold("role: ") + serving.id() + " (" + serving.displayName() + ")"
                    + (serving.routed() ? "" : term.yellow(" — prefers " + serving.modelPreference() + " in config; the router's ranking is shown for comparison")));
        }
        term.out().println(term.dim(String.format(Locale.ROOT, "estimate: %s in / %s out%s", Format.tokens(in), Format.tokens(out),
                localOnly ? "; local models only" + (local ? " (--local)" : " (config)") : "")));
        if (decision.chosen().isEmpty()) {
            printExclusions(term, decision);
            return noneChosen(app, models, localOnly, decision);
        }
        Candidate best = decision.chosen().get();
        term.out().println(term.bold("→ " + best.model().id()) + "  " + best.reason());
        term.out().println();
        term.out().print(candidateTable(decision.candidates(), settings).render());
        if (decision.candidates().size() > 8) term.out().println(term.dim("… and " + (decision.candidates().size() - 8) + " more (--json lists all)"));
        printExclusions(term, decision);
        return ExitCodes.OK;
    }

    private static void printExclusions(Terminal term, RouteDecision decision) {
        if (decision.exclusions().isEmpty()) return;
        term.out().println();
        term.out().println(term.bold("left out:"));
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (Exclusion e : decision.exclusions()) byReason.computeIfAbsent(e.reason(), r -> new java.util.ArrayList<>()).add(e.model().id());
        byReason.forEach((reason, ids) -> term.out().println("  " + reason + ": " + term.dim(String.join(", ", ids))));
    }

    /**
     * Nothing was chosen. When no model of the catalog can be called at all (no key, no local
     * server answering, nothing pulled), that is said as every command says it, with the next
     * step, exit 3; otherwise the router's reason (context, tools, budget), exit 1.
     */
    private static int noneChosen(AppContext app, List<ModelSpec> models, boolean localOnly, RouteDecision decision) {
        List<ModelSpec> servable = ModelErrors.servable(models, localOnly);
        Optional<ModelException> none = servable.isEmpty() ? Optional.empty() : app.usability().noneUsable(null, servable, true);
        if (none.isPresent()) return ModelErrors.print(app.terminal(), none.get());
        app.terminal().err().println(app.terminal().red("ensemble: no model can serve this task: ") + decision.whyNone());
        return ExitCodes.FAILED;
    }

    /**
     * The runners-up in the terms the router ranks them by, never its internal score (a negated cost, or
     * P(pass) − 1000 under the pass floor): expected-cost shows the chance of passing and the expected cost
     * with escalation, or "under floor" for a candidate ranked only by its chance; quality-first shows the
     * expected quality on the catalog's 0–10 scale.
     */
    static Table candidateTable(List<Candidate> candidates, RoutingSettings settings) {
        boolean expectedCost = settings.strategy() == RoutingStrategy.EXPECTED_COST;
        Table table = expectedCost
                ? new Table("#", "model", "P(pass)", "a try", "expected", "time", "why").alignRight(0, 2, 3, 4, 5)
                : new Table("#", "model", "quality", "cost", "time", "why").alignRight(0, 2, 3, 4);
        int shown = 0;
        for (Candidate c : candidates) {
            if (shown++ == 8) break;
            String time = String.format(Locale.ROOT, "%.0f s", c.expectedSeconds());
            if (expectedCost) {
                String expected = c.expectedQuality() >= settings.passFloor() ? Format.usd(c.expectedCostWithEscalationUsd()) : "under floor";
                table.row(shown, c.model().id(), String.format(Locale.ROOT, "%.0f%%", 100 * c.expectedQuality()),
                        Format.usd(c.expectedCostUsd()), expected, time, c.reason());
            } else {
                table.row(shown, c.model().id(), String.format(Locale.ROOT, "%.1f/10", 10 * c.expectedQuality()),
                        Format.usd(c.expectedCostUsd()), time, c.reason());
            }
        }
        return table;
    }

    private static ObjectNode toJson(Classification classification, Role serving, long in, long out, boolean localOnly, RouteDecision decision) {
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        root.putObject("classification").put("kind", classification.kind().key())
                .put("confidence", classification.confidence()).put("reason", classification.reason());
        if (serving != null) {
            root.putObject("role").put("id", serving.id()).put("name", serving.displayName()).put("model_preference", serving.modelPreference());
        }
        root.put("input_tokens", in).put("output_tokens", out).put("local_only", localOnly);
        decision.chosen().ifPresent(c -> root.put("chosen", c.model().id()));
        ArrayNode candidates = root.putArray("candidates");
        for (Candidate c : decision.candidates()) {
            candidates.addObject().put("model", c.model().id()).put("score", c.score()).put("expected_quality", c.expectedQuality())
                    .put("expected_cost_usd", c.expectedCostUsd()).put("worst_case_usd", c.worstCaseUsd())
                    .put("expected_cost_with_escalation_usd", c.expectedCostWithEscalationUsd())
                    .put("expected_seconds", c.expectedSeconds()).put("reason", c.reason());
        }
        ArrayNode excluded = root.putArray("excluded");
        for (Exclusion e : decision.exclusions()) excluded.addObject().put("model", e.model().id()).put("reason", e.reason());
        if (decision.chosen().isEmpty()) root.put("error", "no model can serve this task: " + decision.whyNone());
        return root;
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = {"Measure routing on recorded outcomes.",
                    "Reads a folder of CSVs with a `prompt` column and one True/False column per model, trains on a "
                            + "seeded half, evaluates on the other half, and prints the cost–quality curve and the saving "
                            + "versus strong-only at 95%% of its quality, at catalog (or given) prices."})
    static final class Eval implements Callable<Integer> {
        @ParentCommand RouteCommand route;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of CSVs (e.g. the RouteLLM MMLU outcomes).")
        Path data;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the train/test split (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--strong", paramLabel = "COL", description = "The strong model's column (default: the most accurate).")
        String strong;

        @Option(names = "--weak", paramLabel = "COL", description = "The weak model's column (default: the least accurate).")
        String weak;

        @Option(names = "--price", paramLabel = "COL=SPEC",
                description = "Price a column as a catalog model (COL=gpt-5-mini) or at IN/OUT USD per million tokens (COL=3/15). "
                        + "Default: the catalog model of that name, else the shipped list of legacy eval prices.")
        Map<String, String> prices = new LinkedHashMap<>();

        @Option(names = "--output-tokens", paramLabel = "N", defaultValue = "10",
                description = "Assumed tokens of every answer; the data does not record them (default: ${DEFAULT-VALUE}).")
        long outputTokensAssumed;

        @Option(names = "--points", paramLabel = "N", defaultValue = "11", description = "Rows of the curve table (default: ${DEFAULT-VALUE}).")
        int points;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(names = "--plot", paramLabel = "PNG", description = "Also draw the curves into this PNG file.")
        Path plot;

        @Override
        public Integer call() throws IOException {
            AppContext app = route.main.app();
            Terminal term = app.terminal();
            if (points < 2) throw new UserInputException("--points must be at least 2");
            if (outputTokensAssumed < 0) throw new UserInputException("--output-tokens cannot be negative");
            EvalData loaded;
            try {
                loaded = EvalData.load(data);
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--data: " + e.getMessage());
            }
            String[] defaults = RouteEval.defaultStrongWeak(loaded);
            String s = strong != null ? strong : defaults[0];
            String w = weak != null ? weak : defaults[1];
            List<ModelSpec> catalog = List.copyOf(app.config().catalog().models().values());
            EvalPrices.Priced strongPrice;
            EvalPrices.Priced weakPrice;
            EvalReport report;
            try {
                strongPrice = EvalPrices.resolve(s, prices.get(s), catalog);
                weakPrice = EvalPrices.resolve(w, prices.get(w), catalog);
                report = RouteEval.run(loaded, new RouteEval.Options(s, w, strongPrice.pricing(), weakPrice.pricing(), seed,
                        outputTokensAssumed, TokenEstimator::count, "o200k_base (jtokkit)"));
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
            if (plot != null) CurvePlot.write(report, plot);
            if (json) {
                ObjectNode root = report.toJson(points);
                root.put("strong_price_origin", strongPrice.origin()).put("weak_price_origin", weakPrice.origin());
                if (plot != null) root.put("plot", plot.toString());
                term.printJson(root);
                return ExitCodes.OK;
            }
            print(term, report, strongPrice, weakPrice, loaded);
            if (plot != null) term.err().println(term.dim("plot written to " + plot));
            return ExitCodes.OK;
        }

        private void print(Terminal term, EvalReport r, EvalPrices.Priced sp, EvalPrices.Priced wp, EvalData loaded) {
            term.out().println(term.bold("Routing evaluation: ") + r.strong() + " (strong) vs " + r.weak() + " (weak)");
            term.out().println(term.dim(String.format(Locale.ROOT, "data: %d files, %d prompts (%d contaminated left out); seed %d: %d train / %d test",
                    loaded.files().size(), r.prompts(), r.excluded(), r.seed(), r.trainSize(), r.testSize())));
            term.out().println(term.dim(String.format(Locale.ROOT, "prices per Mtok: strong $%s in / $%s out — %s",
                    Format.price(r.strongPrice().inputPerMtok()), Format.price(r.strongPrice().outputPerMtok()), sp.origin())));
            term.out().println(term.dim(String.format(Locale.ROOT, "                 weak   $%s in / $%s out — %s",
                    Format.price(r.weakPrice().inputPerMtok()), Format.price(r.weakPrice().outputPerMtok()), wp.origin())));
            term.out().println(term.dim("cost of a prompt = its tokens (" + r.tokenizer() + ") × input price + " + r.outputTokens()
                    + " assumed output tokens × output price"));
            term.out().println();
            RouterCurve headline = r.headline();
            term.out().println(term.bold("Curve of the headline router (" + headline.name() + "): ") + headline.description());
            Table curve = new Table("to strong", "cost", "quality", "of strong", "saving").alignRight(0, 1, 2, 3, 4);
            for (CurvePoint p : headline.sample(points)) {
                curve.row(pct(p.strongShare()), Format.usd(p.costUsd()), pct(p.quality()), pct(p.quality() / r.strongOnly().quality()),
                        pct(1 - p.costUsd() / r.strongOnly().costUsd()));
            }
            term.out().print(curve.render());
            term.out().println();
            term.out().println(term.bold(String.format(Locale.ROOT, "At 95%% of strong-only quality (%s):", pct(r.targetQuality()))));
            Table summary = new Table("routing", "to strong", "cost", "quality", "saving vs strong-only").alignRight(1, 2, 3, 4);
            summary.row("strong only", "100%", Format.usd(r.strongOnly().costUsd()), pct(r.strongOnly().quality()), "0%");
            summary.row("weak only", "0%", Format.usd(r.weakOnly().costUsd()), pct(r.weakOnly().quality()),
                    pct(1 - r.weakOnly().costUsd() / r.strongOnly().costUsd()));
            r.randomCostAtTarget().ifPresent(c -> summary.row("random", "", Format.usd(c), pct(r.targetQuality()), pct(r.randomSaving().orElseThrow())));
            for (RouterCurve rc : r.routers()) {
                if (rc.savingAtTarget().isEmpty()) {
                    summary.row(rc.name(), "", "", "", "never reaches 95%");
                } else {
                    summary.row(rc.name(), pct(rc.strongShareAtTarget().getAsDouble()), Format.usd(rc.costAtTarget().getAsDouble()),
                            pct(r.targetQuality()), pct(rc.savingAtTarget().getAsDouble()));
                }
            }
            term.out().print(summary.render());
            term.out().println();
            if (headline.savingAtTarget().isPresent()) {
                term.out().println(term.bold(String.format(Locale.ROOT, "Saving vs strong-only at 95%% of its quality: %s", pct(headline.savingAtTarget().getAsDouble())))
                        + term.dim(" (" + headline.name() + "; RouteLLM's published MMLU result: about 45%)"));
            } else {
                term.out().println(term.yellow("The headline router never reaches 95% of strong-only quality on this data."));
            }
        }

        private static String pct(double fraction) {
            double percent = 100 * fraction;
            return String.format(Locale.ROOT, "%.1f%%", Math.abs(percent) < 0.05 ? 0.0 : percent);  // never "-0.0%"
        }
    }

    @Command(name = "workload", mixinStandardHelpOptions = true,
            description = {"Run a workload with known verdicts through the router.",
                    "The router learns online and falls back on failure; its cost is compared with sending every task "
                            + "to the premium model. Default: the shipped reference workload, a constructed fixture of 12 "
                            + "tasks and 4 models (--fixture hard-skewed: the first one, with 5 hard tasks of 12). Nothing "
                            + "is sent to any model."})
    static final class Workload implements Callable<Integer> {
        @ParentCommand RouteCommand route;

        @Option(names = "--file", paramLabel = "F", description = "A workload YAML (default: the shipped reference workload).")
        Path file;

        @Option(names = "--fixture", paramLabel = "NAME", description = "A shipped workload: reference (default) or hard-skewed.")
        String fixture;

        @Option(names = "--cost-weight", paramLabel = "W", description = "Override routing.weights.cost for this run (quality-first).")
        Double costWeight;

        @Option(names = "--strategy", paramLabel = "S", description = "Override routing.strategy for this run: expected-cost or quality-first.")
        String strategy;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        private String builtInName() {
            return fixture == null ? "reference" : fixture;
        }

        @Override
        public Integer call() throws IOException {
            AppContext app = route.main.app();
            Terminal term = app.terminal();
            RoutingSettings settings = app.routing();
            if (costWeight != null) {
                if (costWeight < 0 || !Double.isFinite(costWeight)) throw new UserInputException("--cost-weight must be a non-negative number");
                settings = settings.withWeights(settings.qualityWeight(), costWeight, settings.speedWeight());
            }
            if (strategy != null) {
                try {
                    settings = settings.withStrategy(RoutingStrategy.fromKey(strategy));
                } catch (IllegalArgumentException e) {
                    throw new UserInputException("--strategy: " + e.getMessage());
                }
            }
            ReferenceWorkload.Workload workload;
            ReferenceWorkload.Report r;
            try {
                if (file != null && fixture != null) throw new UserInputException("give --file or --fixture, not both");
                workload = file == null ? ReferenceWorkload.builtIn(builtInName()) : ReferenceWorkload.load(file);
                r = ReferenceWorkload.run(workload, app.config().catalog().models(), settings);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new UserInputException("--file: no such file " + file);
            } catch (dev.ensemble.core.io.BoundedText.InputLimitException e) {
                throw new UserInputException("--file: " + file + " " + e.getMessage());
            }
            if (json) {
                ObjectNode root = HttpTransport.JSON.createObjectNode();
                root.put("workload", file == null ? builtInName() + " (built in)" : file.toString()).put("tasks", r.tasks());
                root.put("strategy", settings.strategy().key()).put("pass_slope", settings.passSlope()).put("pass_floor", settings.passFloor());
                root.putObject("weights").put("quality", settings.qualityWeight()).put("cost", settings.costWeight())
                        .put("speed", settings.speedWeight());
                root.putObject("all_premium").put("model", r.baseline()).put("cost_usd", r.baselineCostUsd()).put("passed", r.baselinePasses());
                root.putObject("router_first_try").put("cost_usd", r.routerFirstTryCostUsd()).put("passed", r.routerFirstTryPasses());
                root.putObject("router").put("cost_usd", r.routerCostUsd()).put("passed", r.routerPasses())
                        .put("saving_percent", r.savingPercent()).put("same_pass_rate", r.samePassRate());
                root.putObject("cheapest_passing").put("cost_usd", r.oracleCostUsd()).put("saving_percent", r.oracleSavingPercent());
                ArrayNode tasks = root.putArray("results");
                for (ReferenceWorkload.TaskResult t : r.results()) {
                    ObjectNode o = tasks.addObject().put("task", t.task().id()).put("kind", t.task().kind().key())
                            .put("passed", t.passed()).put("cost_usd", t.costUsd());
                    ArrayNode attempts = o.putArray("attempts");
                    for (ReferenceWorkload.Attempt a : t.attempts()) {
                        attempts.addObject().put("model", a.model()).put("passed", a.passed()).put("cost_usd", a.costUsd());
                    }
                }
                term.printJson(root);
                return ExitCodes.OK;
            }
            term.out().println(term.bold("Workload: ") + (file == null ? builtInName() + " (built in, a constructed fixture)" : file)
                    + String.format(Locale.ROOT, " — %d tasks, models %s", r.tasks(), String.join(", ", workload.models())));
            term.out().println(term.dim(settings.strategy() == RoutingStrategy.QUALITY_FIRST
                    ? String.format(Locale.ROOT, "strategy quality-first, weights: quality %s, cost %s, speed %s; learning online, fallback on failure",
                            settings.qualityWeight(), settings.costWeight(), settings.speedWeight())
                    : String.format(Locale.ROOT, "strategy expected-cost, pass slope %s, pass floor %s; learning online, fallback on failure",
                            settings.passSlope(), settings.passFloor())));
            term.out().println();
            Table table = new Table("task", "kind", "attempts", "cost", "all-premium").alignRight(3, 4);
            ModelSpec premium = app.config().catalog().models().get(r.baseline());
            for (ReferenceWorkload.TaskResult t : r.results()) {
                table.row(t.task().id(), t.task().kind().key(),
                        String.join(" → ", t.attempts().stream().map(a -> a.model() + (a.passed() ? " ✓" : " ✗")).toList()),
                        Format.usd(t.costUsd()), Format.usd(Costs.expectedUsd(premium, t.task().inputTokens(), t.task().outputTokens())));
            }
            term.out().print(table.render());
            term.out().println();
            Table summary = new Table("routing", "passed", "cost", "saving").alignRight(1, 2, 3);
            summary.row("all " + r.baseline(), r.baselinePasses() + "/" + r.tasks(), Format.usd(r.baselineCostUsd()), "0%");
            summary.row("router, first choice only", r.routerFirstTryPasses() + "/" + r.tasks(), Format.usd(r.routerFirstTryCostUsd()),
                    pct(r.baselineCostUsd() == 0 ? 0 : 1 - r.routerFirstTryCostUsd() / r.baselineCostUsd()));
            summary.row("router with fallback", r.routerPasses() + "/" + r.tasks(), Format.usd(r.routerCostUsd()), pct(r.savingPercent() / 100));
            summary.row("cheapest passing model (bound)", r.baselinePasses() + "/" + r.tasks(), Format.usd(r.oracleCostUsd()),
                    pct(r.oracleSavingPercent() / 100));
            term.out().print(summary.render());
            term.out().println();
            if (r.samePassRate()) {
                term.out().println(term.bold(String.format(Locale.ROOT, "Saving vs all-premium at the same pass rate: %s", pct(r.savingPercent() / 100))));
            } else {
                term.out().println(term.yellow(String.format(Locale.ROOT, "The router passes %d of %d tasks, all-premium %d: the saving of %s is at a lower pass rate.",
                        r.routerPasses(), r.tasks(), r.baselinePasses(), pct(r.savingPercent() / 100))));
            }
            return ExitCodes.OK;
        }

        private static String pct(double fraction) {
            return Eval.pct(fraction);
        }
    }
}
