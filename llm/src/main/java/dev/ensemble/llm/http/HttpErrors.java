package dev.ensemble.llm.http;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ModelException.Kind;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/** Maps HTTP statuses and bodies to {@link ModelException}s, the same way for every provider. */
public final class HttpErrors {
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private HttpErrors() {}

    public static ModelException fromStatus(String who, int status, String body, Optional<String> retryAfterHeader) {
        String snippet = snippet(Redactor.global().redact(body));  // masked before it is cut
        Duration retryAfter = retryAfterHeader.flatMap(HttpErrors::parseRetryAfter).orElse(null);
        String lower = snippet.toLowerCase(Locale.ROOT);
        Kind kind = switch (status) {
            case 429 -> Kind.RATE_LIMITED;
            case 401, 403 -> Kind.AUTH;
            case 404 -> Kind.NOT_FOUND;
            case 408 -> Kind.TIMEOUT;
            case 413 -> Kind.CONTEXT_TOO_LONG;
            case 503, 529 -> Kind.OVERLOADED;
            default -> {
                if (status >= 500) yield Kind.SERVER_ERROR;
                if (lower.contains("context length") || lower.contains("context_length") || lower.contains("too many tokens")
                        || lower.contains("prompt is too long")) yield Kind.CONTEXT_TOO_LONG;
                yield Kind.BAD_REQUEST;
            }
        };
        String message = who + ": HTTP " + status + " " + kind.label() + (snippet.isEmpty() ? "" : ": " + snippet);
        return new ModelException(kind, message, kind.retryableByDefault(), retryAfter, status, "", null);
    }

    /** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
    public static Optional<Duration> parseRetryAfter(String value) {
        if (value == null || value.isBlank()) return Optional.empty();
        String trimmed = value.trim();
        try {
            double seconds = Double.parseDouble(trimmed);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofMillis((long) (seconds * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String snippet(String body) {
        if (body == null) return "";
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= MAX_BODY_IN_MESSAGE ? flat : flat.substring(0, MAX_BODY_IN_MESSAGE) + "…";
    }
}
