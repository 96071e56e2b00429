package dev.ensemble.agents;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One piece of work for one agent: the prompt, the model the router chose (with its provider and
 * key, resolved by the caller; the key is only ever put into the agent's private environment or
 * config), the paths the task owns, a time limit, and a session to resume, if any.
 */
public record AgentTask(String runId, String taskId, String prompt, ModelSpec model, ProviderSpec provider,
                        Optional<String> apiKey, List<String> ownedPaths, Duration timeout, Optional<String> resumeSessionId) {
    public AgentTask {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(apiKey, "apiKey");
        ownedPaths = List.copyOf(ownedPaths);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(resumeSessionId, "resumeSessionId");
    }

    /** The same task without a session to resume (the session is gone: start afresh). */
    public AgentTask withoutResume() {
        return new AgentTask(runId, taskId, prompt, model, provider, apiKey, ownedPaths, timeout, Optional.empty());
    }

    @Override
    public String toString() {
        // Never print the key.
        return "AgentTask[" + runId + "/" + taskId + ", model=" + model.id() + ", owns=" + ownedPaths + "]";
    }
}
