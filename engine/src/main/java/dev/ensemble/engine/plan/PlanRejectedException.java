package dev.ensemble.engine.plan;

import dev.ensemble.core.plan.PlanProblem;
import java.util.List;
import java.util.stream.Collectors;

/** The planner's answer failed validation twice (the first answer and the repair): the run stops with these reasons. */
public final class PlanRejectedException extends RuntimeException {
    private final List<PlanProblem> problems;

    public PlanRejectedException(List<PlanProblem> problems) {
        super("the planner's plan was rejected after one repair: "
                + problems.stream().map(PlanProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<PlanProblem> problems() {
        return problems;
    }
}
