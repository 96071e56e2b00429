package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.plan.RepoPack;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The planner as `plan` and `go` both use it: the role's model (or the one asked for) and a pack of the repository. */
final class Planning {
    private final Roles roles;
    private final Role planner;
    private final String name;
    private final List<ModelSpec> chain;
    private final ChatModel model;
    private final RepoPack pack;
    private final PlanValidator validator;

    private Planning(Roles roles, Role planner, String name, List<ModelSpec> chain, ChatModel model, RepoPack pack,
                     PlanValidator validator) {
        this.roles = roles;
        this.planner = planner;
        this.name = name;
        this.chain = chain;
        this.model = model;
        this.pack = pack;
        this.validator = validator;
    }

    /** @param modelName a model or alias, or null; @param aliasName an alias, or null */
    static Planning prepare(AppContext app, String modelName, String aliasName) {
        Roles roles = app.roles();
        Role planner = roles.require(Roles.PLANNER);
        String name = requireUsable(app, roles, modelName, aliasName);
        ChatModel model;
        List<ModelSpec> chain;
        try {
            chain = ChatModels.servable(app.config().catalog(), name, app.config().localOnly());
            model = app.models().model(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        return new Planning(roles, planner, name, chain, model, RepoPack.build(app.repoRoot(), RepoPack.budgetFor(model.spec())),
                validator(app, roles));
    }

    /**
     * How a plan is checked, from the planner or from a file: the configured roles, the agents
     * ensemble knows and the catalog's models and aliases (a hint naming neither is refused
     * before any row is written, and the planner's repair turn is told which).
     */
    static PlanValidator validator(AppContext app, Roles roles) {
        return PlanValidator.forRoles(roles).withAgents(app.agents().names()).withModels(app.config().catalog());
    }

    /**
     * The planning call's own approval, as `ask` has: its worst case (the dearest model of the
     * chain, the repair turn included) above {@code budget.approve_above_usd} needs --yes. Asked
     * before anything is written or sent.
     */
    void approve(AppContext app, String request, boolean yes) {
        double worst = new Planner(model, planner, validator).worstCaseUsd(chain, request, pack);
        Approval.require(app, "planning (" + name + ", a repair turn included)", worst, yes);
    }

    /**
     * Checks the planner's model before anything is written or sent: a bad name is exit 2, and a
     * chain of which nothing can be called (no key, no local server answering, nothing pulled)
     * is {@link ModelException.Kind#NO_USABLE_MODEL}, exit 3. Opens no store.
     *
     * @return the planner's model or alias name
     */
    static String requireUsable(AppContext app, String modelName, String aliasName) {
        return requireUsable(app, app.roles(), modelName, aliasName);
    }

    private static String requireUsable(AppContext app, Roles roles, String modelName, String aliasName) {
        Role planner = roles.require(Roles.PLANNER);
        String name = aliasName != null ? aliasName
                : modelName != null ? modelName
                : !planner.routed() ? planner.modelPreference() : app.config().defaultModel();
        if (aliasName != null && !app.config().catalog().isAlias(name)) {
            throw new UserInputException("'" + name + "' is not an alias (aliases: " + String.join(", ", app.config().catalog().aliases().keySet()) + ")");
        }
        List<ModelSpec> chain;
        try {
            chain = ChatModels.servable(app.config().catalog(), name, app.config().localOnly());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        Optional<ModelException> none = app.usability().noneUsable(null, chain);
        if (none.isPresent()) throw none.get();
        return name;
    }

    /** @throws dev.ensemble.engine.plan.PlanRejectedException after the one repair turn */
    Planner.Planned plan(String request) {
        return new Planner(model, planner, validator).planned(request, pack);
    }

    /**
     * As {@link #plan(String)} for a run: its calls carry the run id (so the run's report and
     * run budget count them), and the exchange (the repair turn included) is kept in the run's
     * {@code plan.jsonl}.
     */
    Planner.Planned plan(String request, String runId, SessionTranscripts transcripts) {
        return new Planner(transcripts.planner(model, runId), planner, validator,
                CallContext.of("plan").withRun(runId, "")).planned(request, pack);
    }

    /**
     * "planned by qwen3-coder:30b · 2.1k in / 412 out · $0.0000", with the models that failed
     * before it: the model named is the one whose answer was accepted, whatever the chain's first was.
     */
    static String describe(AppContext app, Planner.Planned planned) {
        Usage usage = Usage.ZERO;
        double cost = 0;
        List<String> failed = new ArrayList<>();
        for (ChatResponse answer : planned.answers()) {
            usage = usage.plus(answer.usage());
            cost += app.config().catalog().model(answer.modelId()).map(m -> m.costUsd(answer.usage())).orElse(0.0);
            for (FailedAttempt f : answer.failures()) {
                String why = f.modelId() + " " + f.kind().label().toLowerCase(Locale.ROOT);
                if (!failed.contains(why)) failed.add(why);
            }
        }
        return "planned by " + planned.modelId() + " · " + Format.tokens(usage.inputTokens()) + " in / "
                + Format.tokens(usage.outputTokens()) + " out · " + Format.usd(cost)
                + (planned.answers().size() > 1 ? " · " + planned.answers().size() + " turns (a repair)" : "")
                + (failed.isEmpty() ? "" : " · fallback after: " + String.join(", ", failed));
    }

    /** What the user asked for: a model or an alias. Which model answers is known only afterwards. */
    String name() {
        return name;
    }

    Roles roles() {
        return roles;
    }

    /** The models the planner's model or alias resolves to, in order (local ones only in local-only mode). */
    List<ModelSpec> chain() {
        return chain;
    }

    Role planner() {
        return planner;
    }

    ChatModel model() {
        return model;
    }

    RepoPack pack() {
        return pack;
    }
}
