package dev.ensemble.core.plan;

/**
 * One reason a plan cannot be run.
 *
 * @param where a JSON path into the planner's answer ({@code $.tasks[2].depends_on[0]}), so the
 *              planner can find what to fix on the repair turn
 * @param message what is wrong and what was expected
 */
public record PlanProblem(String where, String message) {
    @Override
    public String toString() {
        return where + ": " + message;
    }
}
