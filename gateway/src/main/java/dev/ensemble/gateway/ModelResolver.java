package dev.ensemble.gateway;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Classifier;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code model} a client names means: a catalog model (its id, or the provider's own name
 * for it, which is what a CLI pointed at the gateway often sends), an alias (its fallback chain),
 * or {@code auto}, for which the router picks from the request's text and tools among the models
 * usable now and the chain is its ranking.
 */
final class ModelResolver {
    static final String AUTO = "auto";
    /** How many of the router's ranking an {@code auto} request may fall over through. */
    private static final int AUTO_CHAIN = 3;
    private static final long AUTO_OUTPUT_ESTIMATE = 1_000;

    private final ChatModels models;
    private final Router router;

    ModelResolver(ChatModels models, Optional<Router> router) {
        this.models = models;
        this.router = router.orElseGet(() -> new Router(models.catalog().models().values(), RoutingSettings.DEFAULTS, EvidenceSource.NONE));
    }

    /** Thrown for a name that is none of the three; its message names the model. */
    static final class UnknownModel extends RuntimeException {
        UnknownModel(String message) {
            super(message);
        }
    }

    List<ModelSpec> resolve(String name, ChatRequest request) {
        Catalog catalog = models.catalog();
        if (name.equals(AUTO)) return auto(request);
        if (catalog.model(name).isPresent() || catalog.aliases().containsKey(name)) {
            try {
                return models.servable(name);
            } catch (IllegalArgumentException e) {
                throw new UnknownModel(e.getMessage());
            }
        }
        for (ModelSpec spec : catalog.models().values()) {
            if (spec.wireName().equals(name)) return models.servable(spec.id());
        }
        throw new UnknownModel("model '" + name + "' is not in the catalog: name a model or alias from GET /v1/models, or auto");
    }

    private List<ModelSpec> auto(ChatRequest request) {
        // The last user message says what is asked now; a coding CLI's long system prompt says the same every time.
        String text = request.lastUserText();
        Constraints constraints = Constraints.NONE.withLocalOnly(models.localOnly()).withNeedsTools(!request.tools().isEmpty());
        List<Candidate> ranked = router.route(new RouteRequest(text.isBlank() ? "chat" : text,
                Classifier.standard().classify(text).kind(), TokenEstimator.estimate(request),
                request.maxOutputTokens() > 0 ? request.maxOutputTokens() : AUTO_OUTPUT_ESTIMATE, constraints)).candidates();
        List<ModelSpec> chain = new ArrayList<>();
        for (Candidate candidate : ranked) {
            if (models.usability().check(candidate.model()).isPresent()) continue;
            chain.add(candidate.model());
            if (chain.size() == AUTO_CHAIN) break;
        }
        if (chain.isEmpty()) throw new UnknownModel("auto: no usable model of the catalog fits this request");
        return chain;
    }
}
