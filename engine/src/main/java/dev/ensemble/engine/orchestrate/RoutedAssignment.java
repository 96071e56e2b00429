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
import dev.ensemble.core.routing.CostForecast;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.PlannedTask;
import dev.ensemble.core.routing.RouteRequest;
import dev.ensemble.core.routing.Router;
import dev.ensemble.llm.ModelAvailability;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

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
    private UnaryOperator<AgentInfo> drivable = UnaryOperator.identity();

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

    /**
     * What each agent can drive once found: through a gateway, a CLI drives every wire (so the
     * router no longer leaves out an agent and model pair for the model's wire).
     */
    public RoutedAssignment throughGateway(UnaryOperator<AgentInfo> widen) {
        this.drivable = java.util.Objects.requireNonNull(widen, "widen");
        return this;
    }

    @Override
    public Optional<AgentTaskExecutor.Choice> choose(PlanTask task, int fallbackStep) {
        return chain(task).at(fallbackStep);
    }

    /**
     * The models ranked once, now: every later step of the task takes the next of this list, so a
     * failure recorded in the meantime (which moves the router) cannot reorder the task's chain.
     * A key is resolved when its step comes.
     */
    @Override
    public AgentTaskExecutor.Chain chain(PlanTask task) {
        Optional<Agent> agent = agentFor(task);
        if (agent.isEmpty()) return step -> Optional.empty();
        List<ModelSpec> ranked = List.copyOf(ranked(task, detected(agent.get())));
        return step -> {
            if (step < 0 || step >= ranked.size()) return Optional.empty();
            ModelSpec model = ranked.get(step);
            ProviderSpec provider = catalog.providerOf(model);
            Optional<String> key = provider.apiKey().flatMap(secrets);
            return Optional.of(new AgentTaskExecutor.Choice(agent.get(), model, provider, key));
        };
    }

    /**
     * What the tasks should cost at this assignment, before any of them runs: expected is each
     * task's first model (fallback step 0), min and max the cheapest and dearest of the models its
     * fallback steps could use, all at the token estimates routing uses. One pass per task: retries,
     * fallbacks and long agent sessions cost more, which the budget guard bounds call by call.
     */
    @Override
    public CostForecast forecast(List<PlanTask> tasks) {
        List<CostForecast.Line> lines = new ArrayList<>();
        List<String> unroutable = new ArrayList<>();
        double min = 0, expected = 0, max = 0;
        for (PlanTask task : tasks) {
            long input = inputEstimate(task);
            PlannedTask planned = new PlannedTask(task.id(), task.kind(), input, OUTPUT_ESTIMATE);
            List<ModelSpec> models = agentFor(task).map(a -> ranked(task, detected(a))).orElse(List.of());
            if (models.isEmpty()) {
                unroutable.add(task.id() + ": no agent or model can serve it");
                lines.add(new CostForecast.Line(planned, Optional.empty(), 0, 0, 0));
                continue;
            }
            double first = Costs.expectedUsd(models.getFirst(), input, OUTPUT_ESTIMATE);
            double lo = models.stream().mapToDouble(m -> Costs.expectedUsd(m, input, OUTPUT_ESTIMATE)).min().orElseThrow();
            double hi = models.stream().mapToDouble(m -> Costs.expectedUsd(m, input, OUTPUT_ESTIMATE)).max().orElseThrow();
            lines.add(new CostForecast.Line(planned, Optional.of(models.getFirst().id()), lo, first, hi));
            min += lo;
            expected += first;
            max += hi;
        }
        return new CostForecast(lines, min, expected, max, unroutable);
    }

    private Optional<Agent> agentFor(PlanTask task) {
        String agentName = task.agent().or(() -> agentOverride).orElse("builtin");
        return agents.byName(agentName).or(() -> agents.byName("builtin"));
    }

    private AgentInfo detected(Agent agent) {
        return detected.computeIfAbsent(agent.name(), n -> drivable.apply(agent.detect()));
    }

    private static long inputEstimate(PlanTask task) {
        return CONTEXT_ESTIMATE + (task.title().length() + task.description().length() + task.acceptance().length()) / 4;
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
        long input = inputEstimate(task);
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
