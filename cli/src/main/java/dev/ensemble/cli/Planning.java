package dev.ensemble.cli;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Role;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.engine.plan.RepoPack;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ModelException;
import dev.ensemble.core.ModelSpec;
import java.util.List;
import java.util.Optional;

/** The planner as `plan` and `go` both use it: the role's model (or the one asked for) and a pack of the repository. */
final class Planning {
    private final Roles roles;
    private final Role planner;
    private final ChatModel model;
    private final RepoPack pack;

    private Planning(Roles roles, Role planner, ChatModel model, RepoPack pack) {
        this.roles = roles;
        this.planner = planner;
        this.model = model;
        this.pack = pack;
    }

    /** @param modelName a model or alias, or null; @param aliasName an alias, or null */
    static Planning prepare(AppContext app, String modelName, String aliasName) {
        Roles roles = Roles.load(app.configLoader().section("roles"), app.configLoader().locator());
        Role planner = roles.require(Roles.PLANNER);
        String name = requireUsable(app, roles, modelName, aliasName);
        ChatModel model;
        try {
            model = app.models().model(name);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        return new Planning(roles, planner, model, RepoPack.build(app.repoRoot(), RepoPack.budgetFor(model.spec())));
    }

    /**
     * Checks the planner's model before anything is written or sent: a bad name is exit 2, and a
     * chain of which nothing can be called (no key, no local server answering, nothing pulled)
     * is {@link ModelException.Kind#NO_USABLE_MODEL}, exit 3. Opens no store.
     *
     * @return the planner's model or alias name
     */
    static String requireUsable(AppContext app, String modelName, String aliasName) {
        return requireUsable(app, Roles.load(app.configLoader().section("roles"), app.configLoader().locator()), modelName, aliasName);
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
    Plan plan(String request) {
        return new Planner(model, planner, PlanValidator.forRoles(roles)).plan(request, pack);
    }

    /** As {@link #plan(String)}, the exchange (the repair turn included) kept in the run's {@code plan.jsonl}. */
    Plan plan(String request, String runId, SessionTranscripts transcripts) {
        return new Planner(transcripts.planner(model, runId), planner, PlanValidator.forRoles(roles)).plan(request, pack);
    }

    Roles roles() {
        return roles;
    }

    ChatModel model() {
        return model;
    }

    RepoPack pack() {
        return pack;
    }
}
