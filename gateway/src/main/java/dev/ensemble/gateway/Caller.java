package dev.ensemble.gateway;

import dev.ensemble.llm.CallContext;
import java.util.Objects;

/**
 * Who a request to the gateway comes from, once its key is known: an attempt of a run (the key
 * ensemble made for one agent attempt), a virtual key made with {@code ensemble keys create}, or
 * the operator holding {@code ENSEMBLE_TOKEN}. {@code keyId} is the key's public id, never its
 * secret; {@code context} attributes every upstream call to the run, task and attempt (empty for
 * a virtual key or the operator).
 */
public record Caller(Kind kind, String keyId, String keyName, CallContext context) {
    public enum Kind { ATTEMPT, VIRTUAL_KEY, OPERATOR, ANONYMOUS_LOOPBACK }

    public Caller {
        Objects.requireNonNull(kind, "kind");
        keyId = keyId == null ? "" : keyId;
        keyName = keyName == null ? "" : keyName;
        Objects.requireNonNull(context, "context");
    }

    /**
     * What the upstream calls of this request are recorded with: this caller's context, with its
     * key's public id and the wire the client spoke ({@code openai-chat}, {@code anthropic}, ...),
     * so every ledger row says which key and which client wire it came from.
     */
    public CallContext callContext(String clientWire) {
        return context.withKeyId(keyId).withClientWire(clientWire);
    }
}
