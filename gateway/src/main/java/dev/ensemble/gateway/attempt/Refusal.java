package dev.ensemble.gateway.attempt;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Costs;
import java.util.Objects;

/**
 * Why the gateway stopped an attempt: {@code reason} is the short word the task fails with
 * ("task budget", "run budget", "daily budget", "runaway"), {@code message} the sentence that says
 * what was crossed and what is left. A budget refusal also keeps what was left under the limit and
 * the size of the refused request, so the next try can go only to a model where that request fits.
 *
 * @param leftUsd      what was left under the crossed limit (0 for a refusal that is not a budget's)
 * @param inputTokens  the refused request's input estimate
 * @param outputTokens its output cap (0: the model's maximum)
 */
public record Refusal(String reason, String message, double leftUsd, long inputTokens, long outputTokens) {
    public Refusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** A refusal that is not a budget's (the runaway guard's). */
    public Refusal(String reason, String message) {
        this(reason, message, 0, 0, 0);
    }

    /** "task budget: task budget $0.05: spent $0.04, …" as a task's failure reason: always led by the reason word. */
    public String describe() {
        return message.startsWith(reason + ":") ? message : reason + ": " + message;
    }

    /** A daily, run or task budget refused the request (not the runaway guard). */
    public boolean budget() {
        return reason.endsWith(" budget");
    }

    /** Whether the refused request, sent to {@code model} instead, could not cross what was left (a free model always fits). */
    public boolean fits(ModelSpec model) {
        double worst = Costs.worstCaseUsd(model, inputTokens, outputTokens);
        return worst == 0 || worst <= leftUsd;
    }
}
