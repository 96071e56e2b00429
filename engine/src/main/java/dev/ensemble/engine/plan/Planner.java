package dev.ensemble.engine.plan;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanParseException;
import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Costs;
import dev.ensemble.core.routing.Role;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Asks the planner role's model for a plan and validates it. An invalid answer gets one repair
 * turn in the same conversation, with the exact problems; a second invalid answer is a {@link
 * PlanRejectedException} carrying that answer's problems. Model failures propagate as
 * {@code ModelException}.
 */
public final class Planner {
    /** Turns at most: the plan and one repair. */
    static final int TURNS = 2;
    /** Tokens allowed for the repair message (the problems listed), in the worst case of the second turn. */
    private static final long REPAIR_TOKENS = 1_000;

    /** A valid plan and the answers that led to it (the repair turn's included), in order. */
    public record Planned(Plan plan, List<ChatResponse> answers) {
        public Planned {
            answers = List.copyOf(answers);
            if (answers.isEmpty()) throw new IllegalArgumentException("a plan comes from at least one answer");
        }

        /** The model that gave the accepted plan: the one that answered, not the first of its chain. */
        public String modelId() {
            return answers.getLast().modelId();
        }
    }

    private final ChatModel model;
    private final Role role;
    private final PlanValidator validator;
    private final CallContext context;

    /** Calls recorded as command {@code plan}, role {@code planner}, with no run. */
    public Planner(ChatModel model, Role role, PlanValidator validator) {
        this(model, role, validator, CallContext.of("plan"));
    }

    /** @param context who makes the calls (a run's planning carries the run id, so the run's report and budget count it) */
    public Planner(ChatModel model, Role role, PlanValidator validator, CallContext context) {
        this.model = model;
        this.role = role;
        this.validator = validator;
        this.context = context.withRole(role.id());
    }

    /** @throws PlanRejectedException when the answer and its repair are both invalid */
    public Plan plan(String request, RepoPack pack) {
        return planned(request, pack).plan();
    }

    /** As {@link #plan}, with the answers (which model answered, its tokens). */
    public Planned planned(String request, RepoPack pack) {
        List<ChatMessage> messages = new ArrayList<>(firstMessages(request, pack));
        List<ChatResponse> answers = new ArrayList<>();
        List<PlanProblem> problems = List.of();
        for (int turn = 0; turn < TURNS; turn++) {
            ChatResponse response = model.chat(ChatRequest.of(messages).withContext(context));
            answers.add(response);
            Check check = check(request, response.text());
            if (check.problems().isEmpty()) return new Planned(check.plan(), answers);
            problems = check.problems();
            messages.add(new ChatMessage.Assistant(response.text()));
            messages.add(ChatMessage.user(PlanPrompt.repair(problems)));
        }
        throw new PlanRejectedException(problems);
    }

    /**
     * The most planning could cost, for approval before anything is sent: for the dearest model of
     * the chain, the first turn at its maximum output, then the repair turn carrying that answer
     * and the problems, again at its maximum output.
     */
    public double worstCaseUsd(Collection<ModelSpec> chain, String request, RepoPack pack) {
        long input = TokenEstimator.estimate(ChatRequest.of(firstMessages(request, pack)));
        double worst = 0;
        for (ModelSpec m : chain) {
            double first = Costs.worstCaseUsd(m, input, 0);
            double repair = Costs.worstCaseUsd(m, input + m.maxOutputTokens() + REPAIR_TOKENS, 0);
            worst = Math.max(worst, first + repair);
        }
        return worst;
    }

    /**
     * The planner's first request for {@code request}: what a forecast of the planning call is
     * computed from before anything is sent (a repair turn, when needed, is that and the answer).
     */
    public static ChatRequest firstRequest(Role role, String request, RepoPack pack) {
        return ChatRequest.of(firstMessages(role, request, pack)).withContext(CallContext.of("plan"));
    }

    private List<ChatMessage> firstMessages(String request, RepoPack pack) {
        return firstMessages(role, request, pack);
    }

    private static List<ChatMessage> firstMessages(Role role, String request, RepoPack pack) {
        return List.of(ChatMessage.system(role.systemPrompt() + "\n\n" + PlanPrompt.SCHEMA),
                ChatMessage.user("Request:\n" + request + "\n\n" + pack.render()));
    }

    private record Check(Plan plan, List<PlanProblem> problems) {}

    private Check check(String request, String answer) {
        try {
            Plan plan = PlanParser.parse(request, answer, validator.limits());
            return new Check(plan, validator.validate(plan));
        } catch (PlanParseException e) {
            return new Check(null, e.problems());
        }
    }
}
