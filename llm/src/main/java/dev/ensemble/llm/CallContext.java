package dev.ensemble.llm;

/**
 * Who made a call and where it stands in the retry and fallback chain; recorded with every ledger
 * row. {@code attempt} counts from 1 per model; {@code fallbackStep} is 0 for the first model of a
 * chain, 1 for the next, and so on.
 */
public record CallContext(String command, String runId, String taskId, String role, int attempt, int fallbackStep) {
    public static final CallContext NONE = new CallContext("", "", "", "", 1, 0);

    public CallContext {
        command = command == null ? "" : command;
        runId = runId == null ? "" : runId;
        taskId = taskId == null ? "" : taskId;
        role = role == null ? "" : role;
    }

    public static CallContext of(String command) {
        return new CallContext(command, "", "", "", 1, 0);
    }

    public CallContext withRole(String newRole) {
        return new CallContext(command, runId, taskId, newRole, attempt, fallbackStep);
    }

    public CallContext withRun(String newRunId, String newTaskId) {
        return new CallContext(command, newRunId, newTaskId, role, attempt, fallbackStep);
    }

    public CallContext withAttempt(int newAttempt) {
        return new CallContext(command, runId, taskId, role, newAttempt, fallbackStep);
    }

    public CallContext withFallbackStep(int newStep) {
        return new CallContext(command, runId, taskId, role, attempt, newStep);
    }
}
