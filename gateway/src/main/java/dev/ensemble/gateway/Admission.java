package dev.ensemble.gateway;

import java.util.Objects;

/**
 * A gatekeeper's answer for one request: let it through, or refuse it. A refusal is sent back in
 * the client's own wire format (OpenAI error object, Anthropic error, Gemini error), with
 * {@code httpStatus} and a sentence a person can act on ("task budget: $0.02 left of $0.50").
 */
public sealed interface Admission {

    record Allowed(Caller caller) implements Admission {
        public Allowed { Objects.requireNonNull(caller, "caller"); }
    }

    /**
     * {@code reason} is the short machine word a run records ("task budget", "run budget",
     * "daily budget", "key budget", "runaway", "unauthorized", "rate limit", "model not allowed").
     */
    record Refused(int httpStatus, String reason, String message) implements Admission {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    static Admission allowed(Caller caller) { return new Allowed(caller); }

    static Admission refused(int httpStatus, String reason, String message) { return new Refused(httpStatus, reason, message); }
}
