package dev.ensemble.engine.store;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.time.Duration;
import java.time.Instant;

/** Call records for tests, with every field chosen by the test that cares about it. */
final class Calls {
    private Calls() {}

    static CallRecord ok(Instant at, String command, String role, String provider, String model, Usage usage,
                         double costUsd, long latencyMs, boolean streamed, long ttftMs) {
        return new CallRecord(at, new CallContext(command, "run-1", "task-1", role, 1, 0), provider, model, streamed,
                usage, costUsd, Duration.ofMillis(latencyMs), Duration.ofMillis(ttftMs), CallRecord.Outcome.OK, "", "");
    }

    static CallRecord failed(Instant at, String command, String role, String provider, String model, long latencyMs,
                             String errorKind, String error) {
        return new CallRecord(at, new CallContext(command, "run-1", "task-1", role, 2, 1), provider, model, false,
                Usage.ZERO, 0, Duration.ofMillis(latencyMs), Duration.ofMillis(latencyMs), CallRecord.Outcome.ERROR,
                errorKind, error);
    }

    static CallRecord simple(Instant at, String model) {
        return ok(at, "ask", "planner", "openai", model, new Usage(10, 5, 0), 0.5, 100, false, 100);
    }
}
