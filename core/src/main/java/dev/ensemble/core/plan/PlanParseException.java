package dev.ensemble.core.plan;

import java.util.List;
import java.util.stream.Collectors;

/** The planner's answer is not a plan: malformed JSON, or fields missing or of the wrong type. */
public final class PlanParseException extends RuntimeException {
    private final List<PlanProblem> problems;

    public PlanParseException(List<PlanProblem> problems) {
        super(problems.stream().map(PlanProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<PlanProblem> problems() {
        return problems;
    }
}
