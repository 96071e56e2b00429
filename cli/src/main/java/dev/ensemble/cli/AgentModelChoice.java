package dev.ensemble.cli;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Classifier;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.TokenEstimator;
import dev.ensemble.llm.Usability;
import dev.ensemble.llm.UnusableModel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The model `exec` hands an agent: one the agent can drive (its wire protocol) and that can be
 * called now (key set, local server answering, model pulled). A model named with {@code --model}
 * is used as named (an alias: its first such model). Without one, the default alias's first such
 * model, as `ask` would use it; when the alias has none, the router's pick among every such model
 * of the catalog. Never a model that has no key: when nothing fits, the failure is
 * {@link ModelException.Kind#NO_USABLE_MODEL} (exit 3) saying what is missing.
 */
final class AgentModelChoice {
    /** Tokens an agent's model writes per turn, for the router's estimate. */
    private static final long OUTPUT_ESTIMATE = 1_500;

    private AgentModelChoice() {}

    static ModelSpec choose(AppContext app, String agentName, AgentInfo info, String named, String task) {
        Catalog catalog = app.config().catalog();
        boolean localOnly = app.config().localOnly();
        String name = named != null ? named : app.config().defaultModel();
        List<ModelSpec> chain;
        try {
            chain = ChatModels.servable(catalog, name, localOnly);
        } catch (IllegalArgumentException e) {
            if (named != null) throw new UserInputException(e.getMessage());
            chain = List.of();  // the default alias has no local model: the catalog may have one
        }
        List<ModelSpec> drivable = chain.stream().filter(m -> drives(catalog, info, m)).toList();
        if (named != null && drivable.isEmpty()) {
            throw new UserInputException(agentName + " drives " + wires(info) + " models; none in '" + name + "'"
                    + (localOnly ? " among its local models (local-only mode)" : "")
                    + " (" + chain.stream().map(m -> m.id() + ": " + catalog.providerOf(m).wire().key()).toList() + ")");
        }
        Usability usability = app.usability();
        List<UnusableModel> why = new ArrayList<>();
        for (ModelSpec m : drivable) {
            Optional<UnusableModel> unusable = usability.check(m, true);
            if (unusable.isEmpty()) return m;
            why.add(unusable.get());
        }
        boolean drivesAny = info.drives().containsAll(EnumSet.allOf(WireProtocol.class));
        String what = drivesAny ? "model" : "model " + agentName + " can drive (" + wires(info) + ")";
        if (named != null) throw ModelException.noUsableModel(what + " in '" + name + "'", why);

        List<ModelSpec> usable = new ArrayList<>();
        for (ModelSpec m : catalog.models().values()) {
            if ((localOnly && !m.local()) || !drives(catalog, info, m) || drivable.contains(m)) continue;
            Optional<UnusableModel> unusable = usability.check(m, true);
            if (unusable.isPresent()) why.add(unusable.get());
            else usable.add(m);
        }
        if (usable.isEmpty()) throw ModelException.noUsableModel(what, why);
        // No store is opened for this: the choice comes before anything is written.
        Router router = new Router(usable, RoutingSettings.load(app.configLoader().section("routing")), EvidenceSource.NONE);
        List<Candidate> ranked = router.route(new RouteRequest(task, Classifier.standard().classify(task).kind(),
                TokenEstimator.count(task) + ExecCommand.FORECAST_CONTEXT_TOKENS, OUTPUT_ESTIMATE,
                Constraints.NONE.withLocalOnly(localOnly).withNeedsTools(true))).candidates();
        return ranked.isEmpty() ? usable.getFirst() : ranked.getFirst().model();
    }

    private static boolean drives(Catalog catalog, AgentInfo info, ModelSpec m) {
        return info.drives().contains(catalog.providerOf(m).wire());
    }

    private static String wires(AgentInfo info) {
        return info.drives().stream().map(w -> w.key()).sorted().collect(Collectors.joining(", "));
    }
}
