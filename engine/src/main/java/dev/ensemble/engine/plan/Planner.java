package dev.ensemble.engine.plan;

import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanParseException;
import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.core.routing.Role;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the planner role's model for a plan and validates it. An invalid answer gets one repair
 * turn in the same conversation, with the exact problems; a second invalid answer is a {@link
 * PlanRejectedException} carrying that answer's problems. Model failures propagate as
 * {@code ModelException}.
 */
public final class Planner {
    private final ChatModel model;
    private final Role role;
    private final PlanValidator validator;

    public Planner(ChatModel model, Role role, PlanValidator validator) {
        this.model = model;
        this.role = role;
        this.validator = validator;
    }

    /** @throws PlanRejectedException when the answer and its repair are both invalid */
    public Plan plan(String request, RepoPack pack) {
        List<ChatMessage> messages = new ArrayList<>(firstRequest(role, request, pack).messages());
        List<PlanProblem> problems = List.of();
        for (int turn = 0; turn < 2; turn++) {
            ChatResponse response = model.chat(ChatRequest.of(messages).withContext(CallContext.of("plan")));
            Check check = check(request, response.text());
            if (check.problems().isEmpty()) return check.plan();
            problems = check.problems();
            messages.add(new ChatMessage.Assistant(response.text()));
            messages.add(ChatMessage.user(PlanPrompt.repair(problems)));
        }
        throw new PlanRejectedException(problems);
    }

    /**
     * The planner's first request for {@code request}: what a forecast of the planning call is
     * computed from before anything is sent (a repair turn, when needed, is that and the answer).
     */
    public static ChatRequest firstRequest(Role role, String request, RepoPack pack) {
        return ChatRequest.of(List.of(ChatMessage.system(role.systemPrompt() + "\n\n" + PlanPrompt.SCHEMA),
                ChatMessage.user("Request:\n" + request + "\n\n" + pack.render()))).withContext(CallContext.of("plan"));
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
