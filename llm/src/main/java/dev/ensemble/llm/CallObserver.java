package dev.ensemble.llm;

/** Told about every attempt at every model; the ledger is one. Must not throw and must be quick. */
@FunctionalInterface
public interface CallObserver {
    CallObserver NONE = record -> {};

    void onCall(CallRecord record);
}
