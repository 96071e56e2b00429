package dev.ensemble.engine.orchestrate;

import dev.ensemble.agents.Agent;
import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.cli.AgentRegistry;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.routing.Candidate;
import dev.ensemble.core.routing.Constraints;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.llm.ModelAvailability;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Which agent and model serve a task at each fallback step: the plan's agent hint, else the
 * command's, else the builtin agent; models in the router's order for the task's kind (the plan's
 * or command's model first), keeping only models the agent can drive and can reach now. Step k is
 * the k-th of that list, so a fallback is the next-best model for the same agent.
 */
public final class RoutedAssignment implements AgentTaskExecutor.Assignment {
    private static final long CONTEXT_ESTIMATE = 8_000;
    /** Tokens an agent's model writes per turn, not per task: a turn is a tool call or a short answer. */
    private static final long OUTPUT_ESTIMATE = 1_500;

    private final Catalog catalog;
    private final Router router;
    private final AgentRegistry agents;
    private final Function<ModelSpec, ModelAvailability> availability;
    private final Function<SecretRef, Optional<String>> secrets;
    private final Optional<String> agentOverride;
    private final Optional<String> modelOverride;
    private final boolean localOnly;
    private final Map<String, AgentInfo> detected = new ConcurrentHashMap<>();

    public RoutedAssignment(Catalog catalog, Router router, AgentRegistry agents, Function<ModelSpec, ModelAvailability> availability,
                            Function<SecretRef, Optional<String>> secrets, Optional<String> agentOverride,
                            Optional<String> modelOverride, boolean localOnly) {
        this.catalog = catalog;
        this.router = router;
        this.agents = agents;
        this.availability = availability;
        this.secrets = secrets;
        this.agentOverride = agentOverride;
        this.modelOverride = modelOverride;
        this.localOnly = localOnly;
    }

    @Override
    public Optional<AgentTaskExecutor.Choice> choose(PlanTask task, int fallbackStep) {
        String agentName = task.agent().or(() -> agentOverride).orElse("builtin");
        Optional<Agent> agent = agents.byName(agentName).or(() -> agents.byName("builtin"));
        if (agent.isEmpty()) return Optional.empty();
        AgentInfo info = detected.computeIfAbsent(agent.get().name(), n -> agent.get().detect());
        List<ModelSpec> ranked = ranked(task, info);
        if (fallbackStep >= ranked.size()) return Optional.empty();
        ModelSpec model = ranked.get(fallbackStep);
        ProviderSpec provider = catalog.providerOf(model);
        Optional<String> key = provider.apiKey().flatMap(secrets);
        return Optional.of(new AgentTaskExecutor.Choice(agent.get(), model, provider, key));
    }

    /** The models this agent could use for the task, best first. */
    List<ModelSpec> ranked(PlanTask task, AgentInfo info) {
        List<ModelSpec> out = new ArrayList<>();
        Optional<String> preferred = task.model().or(() -> modelOverride);
        if (preferred.isPresent()) {
            for (ModelSpec m : catalog.resolve(preferred.get())) if (fits(m, info)) out.add(m);
        }
        Constraints constraints = Constraints.NONE.withLocalOnly(localOnly).withNeedsTools(true);
        for (ModelSpec m : catalog.models().values()) {
            ModelAvailability a = reachable(m);
            if (!a.usable()) constraints = constraints.withUnavailable(m.id(), a.reason());
        }
        long input = CONTEXT_ESTIMATE + (task.title().length() + task.description().length() + task.acceptance().length()) / 4;
        TaskKind kind = task.kind();
        var decision = router.route(new RouteRequest(task.title() + "\n" + task.description(), kind, input, OUTPUT_ESTIMATE,
                constraints));
        for (Candidate c : decision.candidates()) {
            if (fits(c.model(), info) && !out.contains(c.model())) out.add(c.model());
        }
        return out;
    }

    private boolean fits(ModelSpec model, AgentInfo info) {
        if (localOnly && !model.local()) return false;
        return info.drives().contains(catalog.providerOf(model).wire()) && reachable(model).usable();
    }

    /** The caller's availability check; it should remember its answers for the run (see GoCommand). */
    private ModelAvailability reachable(ModelSpec model) {
        return availability.apply(model);
    }
}
