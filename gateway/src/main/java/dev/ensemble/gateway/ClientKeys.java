package dev.ensemble.gateway;

import io.javalin.http.Context;
import java.util.Optional;

/** The key a client presents, in whichever header its wire uses (or Gemini's {@code ?key=}). */
final class ClientKeys {
    private ClientKeys() {}

    static Optional<String> from(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<String> bearer = nonBlank(authorization.substring(7));
            if (bearer.isPresent()) return bearer;
        }
        for (String header : new String[] {"x-api-key", "x-goog-api-key"}) {
            Optional<String> value = nonBlank(ctx.header(header));
            if (value.isPresent()) return value;
        }
        return nonBlank(ctx.queryParam("key"));
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
