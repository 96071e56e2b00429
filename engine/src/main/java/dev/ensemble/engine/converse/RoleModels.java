package dev.ensemble.engine.converse;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.RouteDecision;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.FallbackChatModel;
import dev.ensemble.llm.ModelAvailability;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who plays a role in a conversation (chat, consensus, review, pipelines): the model named on the
 * command line, else the role's configured model, else the router's pick for the role's kind; then,
 * as fallbacks, the same for each role of the role's fallback chain. The result is one
 * {@link ChatModel} that falls back along that chain, so a failing vendor hands over to the next.
 *
 * <p>Availability (key present, model pulled) is asked once per model for the life of this object:
 * a key check may start {@code pass}, and one command casts several roles.
 */
public final class RoleModels {
    /** Fallback depth: the role's own model and two more are enough to survive a vendor outage. */
    private static final int CHAIN_LENGTH = 3;
    private static final long OUTPUT_ESTIMATE = 1_000;

    private final Roles roles;
    private final ChatModels models;
    private final Router router;
    private final Map<String, ModelAvailability> checked = new ConcurrentHashMap<>();

    public RoleModels(Roles roles, ChatModels models, Router router) {
        this.roles = roles;
        this.models = models;
        this.router = router;
    }

    public Roles roles() {
        return roles;
    }

    public ChatModels models() {
        return models;
    }

    /**
     * The model for {@code roleId}.
     *
     * @param task          the text the role will work on (for the router's token estimate and difficulty)
     * @param override      a model id or alias the user named for this role, used as given
     * @param avoidFamilies model families to pass over where another usable model exists (a
     *                      reviewer or synthesizer from another vendor than the author)
     * @throws IllegalArgumentException for an unknown role or model, or when no model can play the
     *                                  role (with the router's reasons, e.g. what to pull in local-only mode)
     * @throws ModelException           {@link ModelException.Kind#NO_USABLE_MODEL} when nothing the role could
     *                                  use can be called (no key, no local server answering, nothing pulled)
     */
    public Cast cast(String roleId, String task, Optional<String> override, Set<String> avoidFamilies) {
        Role role = roles.require(roleId);
        if (override.isPresent()) {
            String name = override.get();
            List<ModelSpec> chain = models.servable(name);
            Optional<ModelException> none = models.usability().noneUsable(null, chain);
            if (none.isPresent()) throw none.get();
            return new Cast(role, models.model(name), chain, "named on the command line: " + name);
        }
        LinkedHashSet<ModelSpec> chain = new LinkedHashSet<>();
        List<String> reasons = new ArrayList<>();
        String whyNone = "";
        for (Role r : roles.fallbackChain(roleId)) {
            if (!r.routed()) {
                try {
                    List<ModelSpec> preferred = models.servable(r.modelPreference()).stream().filter(m -> availability(m).usable()).toList();
                    if (!preferred.isEmpty()) {
                        chain.addAll(preferred);
                        reasons.add(r.id() + " prefers " + r.modelPreference());
                        continue;
                    }
                } catch (IllegalArgumentException e) {
                    whyNone = e.getMessage();
                    continue;
                }
            }
            RouteDecision decision = router.route(new RouteRequest(task.isBlank() ? r.kind().key() : task, r.kind(),
                    TokenEstimator.count(task), r.maxOutputTokens() > 0 ? r.maxOutputTokens() : OUTPUT_ESTIMATE, constraints()));
            List<ModelSpec> ranked = decision.candidates().stream().map(Candidate::model).toList();
            if (ranked.isEmpty()) {
                whyNone = decision.whyNone();
                continue;
            }
            ModelSpec pick = ranked.stream().filter(m -> !avoidFamilies.contains(m.family()) && !chain.contains(m)).findFirst()
                    .or(() -> ranked.stream().filter(m -> !chain.contains(m)).findFirst()).orElse(ranked.getFirst());
            chain.add(pick);
            reasons.add(r.id() + " routed to " + pick.id() + " for " + r.kind().key());
            if (chain.size() >= CHAIN_LENGTH) break;
        }
        if (chain.isEmpty()) {
            throwIfNothingUsable();
            throw new IllegalArgumentException("no model can play " + role.id() + " (" + role.displayName() + "): "
                    + (whyNone.isBlank() ? "no usable model" : whyNone));
        }
        List<ModelSpec> specs = List.copyOf(chain).subList(0, Math.min(CHAIN_LENGTH, chain.size()));
        ChatModel model = specs.size() == 1 ? models.model(specs.getFirst())
                : new FallbackChatModel(specs.stream().map(models::model).toList());
        return new Cast(role, model, specs, String.join("; ", reasons));
    }

    /** {@link #cast(String, String, Optional, Set)} with no vendor to avoid. */
    public Cast cast(String roleId, String task, Optional<String> override) {
        return cast(roleId, task, override, Set.of());
    }

    /**
     * Up to {@code size} different models for {@code roleId}'s kind of work, as independent voices
     * (a consensus panel): the router's best model of each family first, so the panel spans
     * vendors; models of a family already on it only when families run out. Each member falls back
     * to models that lead no other member (dealt out in turn), so a failing vendor hands over
     * without two members answering with the same model.
     *
     * @return one to {@code size} casts, best first; fewer than asked when fewer models are usable
     * @throws IllegalArgumentException for an unknown role, or when no model can do the work (with the router's reasons)
     */
    public List<Cast> panel(String roleId, String task, int size) {
        if (size < 1) throw new IllegalArgumentException("a panel needs at least one member");
        Role role = roles.require(roleId);
        RouteDecision decision = router.route(new RouteRequest(task.isBlank() ? role.kind().key() : task, role.kind(),
                TokenEstimator.count(task), role.maxOutputTokens() > 0 ? role.maxOutputTokens() : OUTPUT_ESTIMATE, constraints()));
        List<ModelSpec> ranked = decision.candidates().stream().map(Candidate::model).toList();
        if (ranked.isEmpty()) {
            throwIfNothingUsable();
            throw new IllegalArgumentException("no model can answer " + role.kind().key() + " questions: " + decision.whyNone());
        }
        List<ModelSpec> leads = new ArrayList<>();
        Set<String> families = new HashSet<>();
        for (ModelSpec m : ranked) {
            if (leads.size() < size && families.add(m.family())) leads.add(m);
        }
        for (ModelSpec m : ranked) {
            if (leads.size() < size && !leads.contains(m)) leads.add(m);
        }
        List<ModelSpec> reserves = ranked.stream().filter(m -> !leads.contains(m)).toList();
        List<Cast> panel = new ArrayList<>();
        for (int i = 0; i < leads.size(); i++) {
            List<ModelSpec> chain = new ArrayList<>(List.of(leads.get(i)));
            for (int j = i; j < reserves.size() && chain.size() < CHAIN_LENGTH; j += leads.size()) chain.add(reserves.get(j));
            ChatModel model = chain.size() == 1 ? models.model(chain.getFirst())
                    : new FallbackChatModel(chain.stream().map(models::model).toList());
            panel.add(new Cast(role, model, chain, "routed to " + leads.get(i).id() + " (family " + leads.get(i).family()
                    + ") for " + role.kind().key()));
        }
        return List.copyOf(panel);
    }

    /**
     * Up to {@code count} casts of {@code roleId}, each led by a model of a family none of the
     * earlier ones has (several reviewers whose blind spots differ). Stops early when no usable
     * model of another family is left; always returns at least one cast.
     *
     * @throws IllegalArgumentException as {@link #cast(String, String, Optional, Set)}
     */
    public List<Cast> castDistinct(String roleId, String task, int count) {
        List<Cast> casts = new ArrayList<>();
        Set<String> families = new LinkedHashSet<>();
        while (casts.size() < Math.max(1, count)) {
            Cast next = cast(roleId, task, Optional.empty(), families);
            if (families.contains(next.lead().family())) break;
            casts.add(next);
            families.add(next.lead().family());
        }
        return List.copyOf(casts);
    }

    /**
     * When no model of the catalog can be called at all (no key, nothing local answering or pulled),
     * that is the reason no role can be cast, not the router's: {@link ModelException.Kind#NO_USABLE_MODEL}
     * with what is missing. Otherwise the caller's own reason stands.
     */
    private void throwIfNothingUsable() {
        List<ModelSpec> servable = models.catalog().models().values().stream()
                .filter(m -> !models.localOnly() || m.local()).toList();
        if (servable.isEmpty() || servable.stream().anyMatch(m -> availability(m).usable())) return;
        // Ollama's pulled models were asked for by availability already: the same answer, no new request.
        Optional<ModelException> none = models.usability().noneUsable(null, servable, true);
        if (none.isPresent()) throw none.get();
    }

    private Constraints constraints() {
        Constraints constraints = Constraints.NONE.withLocalOnly(models.localOnly());
        for (ModelSpec m : models.catalog().models().values()) {
            ModelAvailability a = availability(m);
            if (!a.usable()) constraints = constraints.withUnavailable(m.id(), a.reason());
        }
        return constraints;
    }

    private ModelAvailability availability(ModelSpec spec) {
        return checked.computeIfAbsent(spec.id(), id -> models.availability(spec));
    }

    /**
     * A role with the model that plays it.
     *
     * @param chain  the models tried in order (the first is the one expected to answer)
     * @param reason how they were chosen, one line
     */
    public record Cast(Role role, ChatModel model, List<ModelSpec> chain, String reason) {
        public Cast {
            chain = List.copyOf(chain);
        }

        /** The first model of the chain: whom to name before the answer arrives. */
        public ModelSpec lead() {
            return chain.getFirst();
        }
    }
}
