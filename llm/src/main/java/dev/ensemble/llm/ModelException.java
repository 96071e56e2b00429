package dev.ensemble.llm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one error type of every provider. {@link #retryable()} tells the retry and fallback layers
 * whether trying again (or elsewhere) can help; {@link #retryAfter()} carries the server's wish.
 * Messages are redacted before they are built: they never contain a key.
 */
public final class ModelException extends RuntimeException {

    public enum Kind {
        RATE_LIMITED("rate limited", true),
        SERVER_ERROR("server error", true),
        OVERLOADED("overloaded", true),
        CONNECTION("connection failed", true),
        /** Nothing listens at the address (connection refused, host unknown): waiting a second will not start it. */
        UNREACHABLE("not answering", false),
        TIMEOUT("timed out", true),
        STREAM_CUT("stream cut", true),
        MALFORMED_RESPONSE("malformed response", true),
        AUTH("authentication failed", false),
        BAD_REQUEST("bad request", false),
        NOT_FOUND("model not found", false),
        CONTEXT_TOO_LONG("context too long", false),
        NO_KEY("no API key", false),
        CIRCUIT_OPEN("circuit open", false),
        BUDGET("over budget", false),
        /**
         * Nothing could be sent: every model of the chain lacks its key, its server is not
         * answering, or it is not pulled ({@link #unusable()} says which and why).
         */
        NO_USABLE_MODEL("no usable model", false),
        INTERRUPTED("interrupted", false);

        private final String label;
        private final boolean retryable;

        Kind(String label, boolean retryable) {
            this.label = label;
            this.retryable = retryable;
        }

        public String label() { return label; }

        public boolean retryableByDefault() { return retryable; }
    }

    private final Kind kind;
    private final boolean retryable;
    private final Duration retryAfter;
    private final int httpStatus;
    private final String partialText;
    private final List<UnusableModel> unusable;

    public ModelException(Kind kind, String message) {
        this(kind, message, kind.retryableByDefault(), null, 0, "", null);
    }

    public ModelException(Kind kind, String message, Throwable cause) {
        this(kind, message, kind.retryableByDefault(), null, 0, "", cause);
    }

    public ModelException(Kind kind, String message, boolean retryable, Duration retryAfter, int httpStatus,
                          String partialText, Throwable cause) {
        this(kind, message, retryable, retryAfter, httpStatus, partialText, cause, List.of());
    }

    private ModelException(Kind kind, String message, boolean retryable, Duration retryAfter, int httpStatus,
                           String partialText, Throwable cause, List<UnusableModel> unusable) {
        super(message, cause);
        this.kind = kind;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.httpStatus = httpStatus;
        this.partialText = partialText == null ? "" : partialText;
        this.unusable = List.copyOf(unusable);
    }

    /**
     * {@link Kind#NO_USABLE_MODEL} for these models: "no usable model: 4 cloud models have no key
     * (…); Ollama is not answering at …", or with {@code what} in place of "model" ("no usable
     * model claude can drive: …").
     */
    public static ModelException noUsableModel(String what, List<UnusableModel> unusable) {
        return noUsableModel(what, unusable, null);
    }

    public static ModelException noUsableModel(List<UnusableModel> unusable) {
        return noUsableModel(null, unusable, null);
    }

    /** @param cause the failure that showed it (a refused connection, Ollama's 404), or null */
    public static ModelException noUsableModel(String what, List<UnusableModel> unusable, Throwable cause) {
        String subject = what == null || what.isBlank() ? "no usable model" : "no usable " + what;
        return new ModelException(Kind.NO_USABLE_MODEL, subject + ": " + UnusableModel.describe(unusable), false, null, 0, "",
                cause, unusable);
    }

    public Kind kind() { return kind; }

    public boolean retryable() { return retryable; }

    public Optional<Duration> retryAfter() { return Optional.ofNullable(retryAfter); }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int httpStatus() { return httpStatus; }

    /** Text that a streamed answer had delivered before it failed; never to be taken as an answer. */
    public String partialText() { return partialText; }

    /** For {@link Kind#NO_USABLE_MODEL}: the models that could not be used and why; empty otherwise or when unknown. */
    public List<UnusableModel> unusable() { return unusable; }

    public ModelException withPartialText(String text) {
        return new ModelException(kind, getMessage(), retryable, retryAfter, httpStatus, text, getCause(), unusable);
    }
}
