package dev.ensemble.gateway.attempt;

import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.util.function.Consumer;

/** Makes attempt keys: this process's gateway ({@link AttemptKeys}) or a running one ({@link RemoteAttempts}). */
public interface AttemptIssuer {
    /**
     * A key for one attempt of {@code context}'s run and task. {@code onRefusal} is told once when
     * the gateway refuses the attempt a request (stop the agent); {@code onCall} hears of each
     * upstream request as its ledger row is made.
     */
    IssuedAttempt issue(CallContext context, java.util.function.Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall);
}
