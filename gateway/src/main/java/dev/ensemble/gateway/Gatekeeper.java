package dev.ensemble.gateway;

import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatRequest;
import java.util.Optional;

/**
 * The gateway's only questions about keys, budgets and guards; the server itself knows none of
 * them. Implementations compose ({@link #first}): attempt keys of a run, virtual keys, the
 * operator token. Every method is called on the request's virtual thread and must not block on
 * the network.
 */
public interface Gatekeeper {

    /**
     * Who presents {@code secret} (from {@code Authorization: Bearer}, {@code x-api-key} or
     * {@code x-goog-api-key}; empty when none was sent). {@link Admission.Refused} with 401 for
     * an unknown, revoked or expired key. Empty when this gatekeeper does not know the key, so
     * the next one is asked.
     */
    Optional<Admission> authenticate(Optional<String> secret);

    /**
     * Before anything is sent upstream: may {@code caller} send {@code request} to
     * {@code modelId} (the catalog model about to be tried; asked again for each model of a
     * fallback chain)? Budgets, model allow-lists, rate limits and the runaway guard answer here.
     */
    default Admission admit(Caller caller, String modelId, ChatRequest request) {
        return Admission.allowed(caller);
    }

    /** After each upstream attempt, with its ledger row (cost, tokens, latency): spend is counted here. */
    default void settle(Caller caller, CallRecord record) {}

    /** Who looks at the tool calls of {@code caller}'s answers before they reach it (an attempt's auditor); empty: no one. */
    default Optional<AnswerCheck> answerCheck(Caller caller) {
        return Optional.empty();
    }

    /** The first gatekeeper that knows the key decides; admission and settling ask every one in order. */
    static Gatekeeper first(java.util.List<Gatekeeper> keepers) {
        return new Gatekeepers(keepers);
    }
}
