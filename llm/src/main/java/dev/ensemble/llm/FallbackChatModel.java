package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ModelException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * An alias's chain of models: each is tried in order (with {@link CallContext#withFallbackStep})
 * until one answers. Any failure moves on, retryable or not (a wrong key for one provider says
 * nothing about the next), except {@link Kind#BUDGET} and {@link Kind#INTERRUPTED}, which are
 * about the whole run and stop the chain. The answer carries every failed attempt before it;
 * when all fail, the error lists each model and why, with the kind of the last failure.
 */
public final class FallbackChatModel implements ChatModel {
    private final List<ChatModel> chain;

    public FallbackChatModel(List<ChatModel> chain) {
        if (chain.isEmpty()) throw new IllegalArgumentException("a fallback chain needs at least one model");
        this.chain = List.copyOf(chain);
    }

    public List<ChatModel> chain() {
        return chain;
    }

    @Override
    public ModelSpec spec() {
        return chain.getFirst().spec();
    }

    @Override
    public ChatResponse chat(ChatRequest request, StreamListener listener) {
        List<FailedAttempt> failures = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        ModelException last = null;
        for (int step = 0; step < chain.size(); step++) {
            ChatModel model = chain.get(step);
            try {
                ChatResponse response = model.chat(request.withContext(request.context().withFallbackStep(step)), listener);
                if (failures.isEmpty()) return response;
                List<FailedAttempt> all = new ArrayList<>(failures);
                all.addAll(response.failures());
                return response.withFailures(all);
            } catch (ModelException e) {
                if (e.kind() == Kind.BUDGET || e.kind() == Kind.INTERRUPTED) throw e;
                List<FailedAttempt> attempts = attempts(model.spec().id(), step, e);
                failures.addAll(attempts);
                reasons.add(model.spec().id() + ": " + e.kind().label() + " — " + redact(e.getMessage())
                        + (attempts.size() > 1 ? " (" + attempts.size() + " attempts)" : ""));
                last = e;
                if (listener != null && step < chain.size() - 1) listener.onAttemptFailed(attempts.getLast());
            }
        }
        StringJoiner message = new StringJoiner("; ", "all " + chain.size() + " models of the chain failed: ", "");
        reasons.forEach(message::add);
        throw new ModelException(last.kind(), message.toString(), last.retryable(),
                last.retryAfter().orElse(null), last.httpStatus(), "", last);
    }

    /**
     * The attempts behind one step's failure: the retry layer leaves the earlier attempts'
     * errors as suppressed exceptions of the final one, in order.
     */
    private static List<FailedAttempt> attempts(String modelId, int step, ModelException e) {
        List<FailedAttempt> out = new ArrayList<>();
        for (Throwable earlier : e.getSuppressed()) {
            if (earlier instanceof ModelException m) {
                out.add(new FailedAttempt(modelId, out.size() + 1, step, m.kind(), redact(m.getMessage())));
            }
        }
        out.add(new FailedAttempt(modelId, out.size() + 1, step, e.kind(), redact(e.getMessage())));
        return out;
    }

    private static String redact(String text) {
        return Redactor.global().redact(text == null ? "" : text);
    }
}
