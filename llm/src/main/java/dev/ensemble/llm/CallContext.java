package dev.ensemble.llm;

/**
 * Who made a call and where it stands in the retry and fallback chain; recorded with every ledger
 * row. {@code attempt} counts from 1 per model; {@code fallbackStep} is 0 for the first model of a
 * chain, 1 for the next, and so on. For a call that came through the gateway, {@code keyId} is the
 * public id of the key it presented (never the key's secret) and {@code clientWire} the wire the
 * client spoke ({@code openai-chat}, {@code anthropic}, ...); both are empty otherwise.
 */
public record CallContext(String command, String runId, String taskId, String role, int attempt, int fallbackStep,
                          String keyId, String clientWire) {
    public static final CallContext NONE = new CallContext("", "", "", "", 1, 0);

    public CallContext {
        command = command == null ? "" : command;
        runId = runId == null ? "" : runId;
        taskId = taskId == null ? "" : taskId;
        role = role == null ? "" : role;
        keyId = keyId == null ? "" : keyId;
        clientWire = clientWire == null ? "" : clientWire;
    }

    /** A call made by ensemble itself, not through the gateway: no key, no client wire. */
    public CallContext(String command, String runId, String taskId, String role, int attempt, int fallbackStep) {
        this(command, runId, taskId, role, attempt, fallbackStep, "", "");
    }

    public static CallContext of(String command) {
        return new CallContext(command, "", "", "", 1, 0);
    }

    public CallContext withRole(String newRole) {
        return new CallContext(command, runId, taskId, newRole, attempt, fallbackStep, keyId, clientWire);
    }

    public CallContext withRun(String newRunId, String newTaskId) {
        return new CallContext(command, newRunId, newTaskId, role, attempt, fallbackStep, keyId, clientWire);
    }

    public CallContext withAttempt(int newAttempt) {
        return new CallContext(command, runId, taskId, role, newAttempt, fallbackStep, keyId, clientWire);
    }

    public CallContext withFallbackStep(int newStep) {
        return new CallContext(command, runId, taskId, role, attempt, newStep, keyId, clientWire);
    }

    /** The public id of the gateway key the call came with (never its secret). */
    public CallContext withKeyId(String newKeyId) {
        return new CallContext(command, runId, taskId, role, attempt, fallbackStep, newKeyId, clientWire);
    }

    /** The wire the gateway's client spoke: {@code openai-chat}, {@code openai-responses}, {@code anthropic}, {@code gemini}. */
    public CallContext withClientWire(String newClientWire) {
        return new CallContext(command, runId, taskId, role, attempt, fallbackStep, keyId, newClientWire);
    }
}
