package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.plan.RepoPack;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import java.util.List;

/** The planner as `plan` and `go` both use it: the role's model (or the one asked for) and a pack of the repository. */
final class Planning {
    private final Roles roles;
    private final Role planner;
    private final ChatModel model;
    private final RepoPack pack;
    private final List<ModelSpec> chain;
    private final PlanValidator validator;

    private Planning(Roles roles, Role planner, ChatModel model, RepoPack pack, List<ModelSpec> chain, PlanValidator validator) {
        this.roles = roles;
        this.planner = planner;
        this.model = model;
        this.pack = pack;
        this.chain = chain;
        this.validator = validator;
    }

    /** @param modelName a model or alias, or null; @param aliasName an alias, or null */
    static Planning prepare(AppContext app, String modelName, String aliasName) {
        Roles roles = Roles.load(app.configLoader().section("roles"), app.configLoader().locator());
        Role planner = roles.require(Roles.PLANNER);
        String name = aliasName != null ? aliasName
                : modelName != null ? modelName
                : !planner.routed() ? planner.modelPreference() : app.config().defaultModel();
        if (aliasName != null && !app.config().catalog().isAlias(name)) {
            throw new UserInputException("'" + name + "' is not an alias (aliases: " + String.join(", ", app.config().catalog().aliases().keySet()) + ")");
        }
        ChatModel model;
        List<ModelSpec> chain;
        try {
            chain = ChatModels.servable(app.config().catalog(), name, app.config().localOnly());
            model = app.models().model(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        return new Planning(roles, planner, model, RepoPack.build(app.repoRoot(), RepoPack.budgetFor(model.spec())), chain,
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

    /** @throws dev.ensemble.engine.plan.PlanRejectedException after the one repair turn */
    Plan plan(String request) {
        return new Planner(model, planner, validator).plan(request, pack);
    }

    /** As {@link #plan(String)}, the exchange (the repair turn included) kept in the run's {@code plan.jsonl}. */
    Plan plan(String request, String runId, SessionTranscripts transcripts) {
        return new Planner(transcripts.planner(model, runId), planner, validator).plan(request, pack);
    }

    Roles roles() {
        return roles;
    }

    Role planner() {
        return planner;
    }

    /** The models the planner's model or alias resolves to, in order (local ones only in local-only mode). */
    List<ModelSpec> chain() {
        return chain;
    }

    ChatModel model() {
        return model;
    }

    RepoPack pack() {
        return pack;
    }
}
