package dev.ensemble.llm;

import dev.ensemble.core.routing.Spent;

/**
 * What has been spent so far against each budget, for the call about to be made: today (UTC), in
 * the call's run and in its task ({@link CallContext#runId()}, {@link CallContext#taskId()}; 0
 * when the context names none). The CLI's source is the ledger, so it includes every call this
 * process (and any other) has recorded.
 */
@FunctionalInterface
public interface SpendSource {
    SpendSource NOTHING = context -> Spent.NOTHING;

    Spent spent(CallContext context);
}
