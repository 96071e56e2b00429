package dev.ensemble.engine.pipeline;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FailedAttempt;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Runs a pipeline: each step's role is cast to a model chain by {@link RoleModels} (the router,
 * local-only, the role's fallbacks), its prompt is filled from the request and the earlier
 * outputs, and its answer streamed to the listener; then the synthesis. Every call is recorded in
 * the ledger as command {@code pipeline} with the step's role, and checked against the budgets by
 * the models themselves. A step whose every model fails stops the pipeline: the result says which
 * and why, with the steps done so far. When the first step finds no model it can call at all,
 * {@link ModelException.Kind#NO_USABLE_MODEL} is thrown instead: there is no run to report.
 */
public final class PipelineRunner {
    public static final String COMMAND = "pipeline";

    /** Hears a run as it happens, on the calling thread. Every method has a no-op default. */
    public interface Listener {
        /** A step (number 1..total) or the synthesis (number 0) is about to be sent to {@code cast}. */
        default void stepStarted(int number, int total, PipelineStep step, RoleModels.Cast cast) {}

        /** A piece of the current step's answer. */
        default void text(String delta) {}

        /** An attempt failed and the next (retry or fallback model) follows; text already given is discarded. */
        default void attemptFailed(FailedAttempt failure) {}

        default void stepFinished(StepResult result) {}
    }

    private final RoleModels roleModels;
    private final Clock clock;

    public PipelineRunner(RoleModels roleModels, Clock clock) {
        this.roleModels = roleModels;
        this.clock = clock;
    }

    public PipelineResult run(PipelineDefinition pipeline, String input, Listener listener) {
        if (input == null || input.isBlank()) throw new IllegalArgumentException("the description is empty");
        Instant started = clock.instant();
        SequencedMap<String, String> outputs = new LinkedHashMap<>();
        List<StepResult> done = new ArrayList<>();
        String previousFamily = "";
        int total = pipeline.steps().size();
        for (int i = 0; i < total; i++) {
            PipelineStep step = pipeline.steps().get(i);
            StepResult result = runStep(i + 1, total, step, input, outputs, previousFamily, listener);
            done.add(result);
            if (!result.succeeded()) return new PipelineResult(pipeline, input, started, done, Optional.empty());
            outputs.put(step.name(), result.output());
            previousFamily = family(result.model());
        }
        StepResult synthesis = runStep(0, total, pipeline.synthesis(), input, outputs, "", listener);
        return new PipelineResult(pipeline, input, started, done, Optional.of(synthesis));
    }

    private StepResult runStep(int number, int total, PipelineStep step, String input, SequencedMap<String, String> outputs,
                               String previousFamily, Listener listener) {
        String prompt = PromptTemplate.render(step.prompt(), input, outputs);
        String roleName = roleModels.roles().role(step.role()).map(r -> r.displayName()).orElse(step.role());
        RoleModels.Cast cast;
        try {
            // A reviewer from another vendor than the step it reviews catches what that vendor's models share.
            boolean reviews = roleModels.roles().require(step.role()).kind() == TaskKind.REVIEW;
            cast = roleModels.cast(step.role(), prompt, Optional.empty(),
                    reviews && !previousFamily.isEmpty() ? Set.of(previousFamily) : Set.of());
        } catch (IllegalArgumentException e) {
            StepResult failed = new StepResult(number, step, roleName, "", prompt, "", null, 0, null, List.of(), e.getMessage());
            listener.stepFinished(failed);
            return failed;
        }
        listener.stepStarted(number, total, step, cast);
        List<FailedAttempt> failures = new ArrayList<>();
        ChatRequest request = ChatRequest.of(List.of(ChatMessage.system(cast.role().systemPrompt()), ChatMessage.user(prompt)))
                .withMaxOutputTokens(cast.role().maxOutputTokens())
                .withContext(CallContext.of(COMMAND).withRole(step.role()));
        Instant start = clock.instant();
        StepResult result;
        try {
            ChatResponse response = cast.model().chat(request, new StreamListener() {
                @Override public void onText(String delta) {
                    listener.text(delta);
                }

                @Override public void onAttemptFailed(FailedAttempt failure) {
                    failures.add(failure);
                    listener.attemptFailed(failure);
                }
            });
            double cost = spec(response.modelId()).map(m -> m.costUsd(response.usage())).orElse(0.0);
            result = new StepResult(number, step, roleName, response.modelId(), prompt, response.text(), response.usage(),
                    cost, response.latency(), response.failures(), "");
        } catch (ModelException e) {
            // Nothing done yet and nothing of the chain usable: not a failed pipeline but a machine
            // without a model; the caller says so (and writes no document of an empty run).
            if (e.kind() == ModelException.Kind.NO_USABLE_MODEL && outputs.isEmpty()) throw e;
            result = new StepResult(number, step, roleName, cast.lead().id(), prompt, "", null, 0,
                    Duration.between(start, clock.instant()), failures, e.getMessage());
        }
        listener.stepFinished(result);
        return result;
    }

    private Optional<ModelSpec> spec(String modelId) {
        return roleModels.models().catalog().model(modelId);
    }

    private String family(String modelId) {
        return spec(modelId).map(ModelSpec::family).orElse("");
    }
}
