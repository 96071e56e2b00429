package dev.ensemble.gateway.attempt;

import java.util.Objects;

/**
 * Why the gateway stopped an attempt: {@code reason} is the short word the task fails with
 * ("task budget", "run budget", "daily budget", "runaway"), {@code message} the sentence that says
 * what was crossed and what is left.
 */
public record Refusal(String reason, String message) {
    public Refusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** "task budget: task budget $0.05: spent $0.04, …" as a task's failure reason: always led by the reason word. */
    public String describe() {
        return message.startsWith(reason + ":") ? message : reason + ": " + message;
    }
}
