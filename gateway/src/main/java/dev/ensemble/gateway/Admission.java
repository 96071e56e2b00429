package dev.ensemble.gateway;

import java.util.Objects;

/**
 * A gatekeeper's answer for one request: let it through, or refuse it. A refusal is sent back in
 * the client's own wire format (OpenAI error object, Anthropic error, Gemini error), with
 * {@code httpStatus} and a sentence a person can act on ("task budget: $0.02 left of $0.50").
 */
public sealed interface Admission {

    /** The reason word of a refusal that only rules out one model: a fallback chain goes on to its next model. */
    String MODEL_NOT_ALLOWED = "model not allowed";

    /**
     * Let through. {@code release} gives back what admitting held (a budget's reservation of the
     * request's worst case); the server runs it once, when the model step it admitted is over
     * (answered, failed, or the client left), after that step's ledger rows were settled.
     */
    record Allowed(Caller caller, Runnable release) implements Admission {
        public Allowed {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(release, "release");
        }

        public Allowed(Caller caller) {
            this(caller, () -> { });
        }
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

        /** A budget's refusal (daily, run, task or key budget): retrying the same request cannot help. */
        public boolean budget() {
            return reason.equals("budget") || reason.endsWith(" budget");
        }
    }

    static Admission allowed(Caller caller) { return new Allowed(caller); }

    /** Let through, holding something that {@code release} gives back when the model step is over. */
    static Admission allowed(Caller caller, Runnable release) { return new Allowed(caller, release); }

    static Admission refused(int httpStatus, String reason, String message) { return new Refused(httpStatus, reason, message); }
}
