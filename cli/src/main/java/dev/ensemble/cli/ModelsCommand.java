package dev.ensemble.cli;

import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ModelAvailability;
import dev.ensemble.llm.http.HttpTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List every model and alias ensemble can use.",
                "The catalog's models and aliases, and the models a local Ollama has pulled.",
                "Each model with its prices per million tokens, its capability scores (planning, coding, review, search; "
                        + "0 to 10; ~ marks a score guessed from the model's family) and whether it is usable now, and if "
                        + "not, why."})
final class ModelsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--json", description = "Print JSON, with the benchmark behind each score and the source and date of each price.")
    boolean json;

    @Option(names = "--usable", description = "Only models usable now.")
    boolean usableOnly;

    @Override
    public Integer call() throws Exception {
        AppContext app = main.app();
        Catalog catalog = app.config().catalog();
        Map<String, ModelAvailability> availability = availability(app.availabilityChecks(), catalog.models().values());
        if (json) {
            app.terminal().printJson(toJson(catalog, availability));
            return ExitCodes.OK;
        }
        Terminal term = app.terminal();
        Table models = new Table("model", "provider", "where", "context", "$in/M", "$out/M", "plan", "code", "review", "search", "status")
                .alignRight(3, 4, 5, 6, 7, 8, 9);
        for (ModelSpec m : catalog.models().values()) {
            ModelAvailability a = availability.get(m.id());
            if (usableOnly && !a.usable()) continue;
            models.row(m.id(), m.provider(), m.local() ? "local" : "cloud", Format.tokens(m.contextWindow()),
                    Format.price(m.pricing().inputPerMtok()), Format.price(m.pricing().outputPerMtok()),
                    score(m, TaskKind.PLANNING), score(m, TaskKind.CODING), score(m, TaskKind.REVIEW), score(m, TaskKind.SEARCH),
                    a.usable() ? term.green("ready") : term.dim(a.reason()));
        }
        term.out().print(models.render());
        List<String> guessed = new ArrayList<>();
        for (ModelSpec m : catalog.models().values()) {
            if (usableOnly && !availability.get(m.id()).usable()) continue;
            guessedFrom(m).ifPresent(how -> guessed.add(m.id() + " " + how));
        }
        if (!guessed.isEmpty()) {
            term.out().println(term.dim("~ guessed scores, for models found in Ollama that the catalog lacks: " + String.join("; ", guessed)
                    + " (`ensemble models --json` gives the figure each guess leans on)"));
        }
        term.out().println();
        Table aliases = new Table("alias", "fallback chain", "status");
        for (var entry : catalog.aliases().entrySet()) {
            List<ModelSpec> chain = catalog.resolve(entry.getKey());
            ModelSpec first = chain.stream().filter(m -> availability.get(m.id()).usable()).findFirst().orElse(null);
            if (usableOnly && first == null) continue;
            aliases.row(entry.getKey(), String.join(" → ", entry.getValue()),
                    first == null ? term.dim("no usable model") : term.green("answers with " + first.id()));
        }
        term.out().print(aliases.render());
        long usable = availability.values().stream().filter(ModelAvailability::usable).count();
        term.err().println(term.dim(usable + " of " + catalog.models().size() + " models usable now. Prices: USD per million tokens; "
                + "`ensemble models --json` gives each price's source and date and each score's benchmark."));
        return ExitCodes.OK;
    }

    /** Availability of every model, checked in parallel (key look-ups may run `pass` or `security`). */
    static Map<String, ModelAvailability> availability(ChatModels models, java.util.Collection<ModelSpec> specs) throws Exception {
        Map<String, Future<ModelAvailability>> futures = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ModelSpec spec : specs) futures.put(spec.id(), pool.submit(() -> models.availability(spec)));
            Map<String, ModelAvailability> out = new LinkedHashMap<>();
            for (var entry : futures.entrySet()) out.put(entry.getKey(), entry.getValue().get());
            return out;
        }
    }

    private static String score(ModelSpec m, TaskKind kind) {
        return m.capability(kind).map(c -> String.format(Locale.ROOT, "%.1f", c.score()) + (c.guessed() ? "~" : "")).orElse("-");
    }

    /** "guessed from family mistral", or why the default was taken; empty for scores read from benchmarks. */
    static java.util.Optional<String> guessedFrom(ModelSpec m) {
        return m.capabilities().values().stream().filter(Capability::guessed).findFirst().map(c -> {
            String rest = c.benchmark().substring(Capability.GUESSED.length());
            int colon = rest.indexOf(':');
            if (rest.startsWith("from family ") && colon > 0) return Capability.GUESSED + rest.substring(0, colon);
            return Capability.GUESSED + rest.replaceAll("^\\(|\\)$", "");
        });
    }

    private static ObjectNode toJson(Catalog catalog, Map<String, ModelAvailability> availability) {
        ObjectNode root = HttpTransport.JSON.createObjectNode();
        ArrayNode models = root.putArray("models");
        for (ModelSpec m : catalog.models().values()) {
            ModelAvailability a = availability.get(m.id());
            ObjectNode node = models.addObject();
            node.put("id", m.id()).put("provider", m.provider()).put("wire_name", m.wireName()).put("family", m.family())
                    .put("local", m.local()).put("tools", m.supportsTools()).put("context_window", m.contextWindow())
                    .put("max_output", m.maxOutputTokens()).put("tokens_per_second", m.tokensPerSecond());
            node.putObject("pricing").put("input", m.pricing().inputPerMtok()).put("output", m.pricing().outputPerMtok())
                    .put("cached_input", m.pricing().cachedInputPerMtok()).put("source", m.pricing().source())
                    .put("as_of", m.pricing().asOf().toString());
            ObjectNode caps = node.putObject("capabilities");
            for (TaskKind kind : TaskKind.values()) {
                Capability c = m.capabilities().get(kind);
                if (c != null) caps.putObject(kind.key()).put("score", c.score()).put("benchmark", c.benchmark()).put("guessed", c.guessed());
            }
            node.put("usable", a.usable()).put("reason", a.reason());
        }
        ArrayNode aliases = root.putArray("aliases");
        for (var entry : catalog.aliases().entrySet()) {
            ObjectNode node = aliases.addObject();
            node.put("name", entry.getKey());
            ArrayNode chain = node.putArray("chain");
            entry.getValue().forEach(chain::add);
            List<String> usable = new ArrayList<>();
            for (ModelSpec m : catalog.resolve(entry.getKey())) if (availability.get(m.id()).usable()) usable.add(m.id());
            node.put("usable", !usable.isEmpty());
            ArrayNode usableNode = node.putArray("usable_models");
            usable.forEach(usableNode::add);
        }
        return root;
    }
}
