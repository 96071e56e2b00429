package dev.ensemble.gateway;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.CallContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's key: whoever presents {@code ENSEMBLE_TOKEN} is let in as the operator. Compared
 * in constant time; the token is never part of a message, a log line or a caller's id.
 */
public final class OperatorToken implements Gatekeeper {
    public static final String VARIABLE = "ENSEMBLE_TOKEN";
    private static final Caller OPERATOR = new Caller(Caller.Kind.OPERATOR, "operator", "operator", CallContext.of("gateway"));

    private final byte[] token;

    public OperatorToken(String token) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException(VARIABLE + " is empty");
        this.token = token.getBytes(StandardCharsets.UTF_8);
        // Masked wherever a message could carry it (a client's echoed header, an error body).
        Redactor.global().register(token);
    }

    /** The token set in {@code env}, if any (an empty value counts as unset). */
    public static Optional<OperatorToken> fromEnv(Map<String, String> env) {
        String value = env.get(VARIABLE);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(new OperatorToken(value.trim()));
    }

    @Override
    public Optional<Admission> authenticate(Optional<String> secret) {
        if (secret.isEmpty()) return Optional.empty();
        boolean same = MessageDigest.isEqual(token, secret.get().getBytes(StandardCharsets.UTF_8));
        return same ? Optional.of(Admission.allowed(OPERATOR)) : Optional.empty();
    }
}
