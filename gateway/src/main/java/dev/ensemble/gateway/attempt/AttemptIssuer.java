package dev.ensemble.gateway.attempt;

import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.util.Optional;
import java.util.function.Consumer;

/** Makes attempt keys: this process's gateway ({@link AttemptKeys}) or a running one ({@link RemoteAttempts}). */
public interface AttemptIssuer {
    /**
     * A key for one attempt of {@code context}'s run and task. {@code onRefusal} is told once when
     * the gateway refuses the attempt a request (stop the agent); {@code onCall} hears of each
     * upstream request as its ledger row is made.
     */
    default IssuedAttempt issue(CallContext context, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall) {
        return issue(context, onRefusal, onCall, Optional.empty(), false);
    }

    /**
     * As {@link #issue(CallContext, Consumer, Consumer)}, with the attempt's answers checked by
     * {@code auditor} before the agent gets them: with {@code block} (no OS sandbox around the
     * agent) a flagged tool call refuses the attempt; without it the flag is only reported.
     */
    IssuedAttempt issue(CallContext context, Consumer<Refusal> onRefusal, Consumer<CallRecord> onCall,
                        Optional<ToolCallAuditor> auditor, boolean block);
}
