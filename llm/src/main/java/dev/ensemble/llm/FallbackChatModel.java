package dev.ensemble.llm;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ModelException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * An alias's chain of models: each is tried in order (with {@link CallContext#withFallbackStep})
 * until one answers. Any failure moves on, retryable or not (a wrong key for one provider says
 * nothing about the next), except {@link Kind#BUDGET} and {@link Kind#INTERRUPTED}, which are
 * about the whole run and stop the chain. The answer carries every failed attempt before it;
 * when all fail, the error lists each model and why, with the kind of the last failure.
 *
 * <p>A model that cannot be used at all ({@link Kind#NO_USABLE_MODEL}: no key, its server not
 * answering, not pulled) is skipped quietly: the listener is not told, it is not a failed
 * attempt, and the answer lists it under {@link ChatResponse#skipped()}. Once a provider's server
 * has refused the connection, the chain's later models on that provider are skipped without
 * trying. When nothing of the chain could be used, the error is {@link Kind#NO_USABLE_MODEL}
 * with every model's reason, collapsed into one paragraph.
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
        List<UnusableModel> skipped = new ArrayList<>();
        Map<String, UnusableModel> silentProviders = new HashMap<>();
        ModelException last = null;
        for (int step = 0; step < chain.size(); step++) {
            ChatModel model = chain.get(step);
            UnusableModel silent = silentProviders.get(model.spec().provider());
            if (silent != null) {
                skipped.add(silent.forModel(model.spec()));
                continue;
            }
            try {
                ChatResponse response = model.chat(request.withContext(request.context().withFallbackStep(step)), listener);
                if (!skipped.isEmpty()) response = response.withSkipped(concat(skipped, response.skipped()));
                if (failures.isEmpty()) return response;
                List<FailedAttempt> all = new ArrayList<>(failures);
                all.addAll(response.failures());
                return response.withFailures(all);
            } catch (ModelException e) {
                if (e.kind() == Kind.BUDGET || e.kind() == Kind.INTERRUPTED) throw e;
                if (e.kind() == Kind.NO_USABLE_MODEL && !e.unusable().isEmpty()) {
                    for (UnusableModel u : e.unusable()) {
                        skipped.add(u);
                        if (u.reason() == UnusableModel.Reason.NOT_ANSWERING) silentProviders.put(u.provider(), u);
                    }
                    continue;
                }
                List<FailedAttempt> attempts = attempts(model.spec().id(), step, e);
                failures.addAll(attempts);
                reasons.add(model.spec().id() + ": " + e.kind().label() + " — " + redact(e.getMessage())
                        + (attempts.size() > 1 ? " (" + attempts.size() + " attempts)" : ""));
                last = e;
                if (listener != null && step < chain.size() - 1) listener.onAttemptFailed(attempts.getLast());
            }
        }
        if (last == null) throw ModelException.noUsableModel(skipped);
        StringJoiner message = new StringJoiner("; ", skipped.isEmpty() ? "all " + chain.size() + " models of the chain failed: "
                : "every usable model of the chain failed: ", "");
        reasons.forEach(message::add);
        String text = message + (skipped.isEmpty() ? "" : "; not usable: " + UnusableModel.describe(skipped));
        throw new ModelException(last.kind(), text, last.retryable(),
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

    private static List<UnusableModel> concat(List<UnusableModel> a, List<UnusableModel> b) {
        List<UnusableModel> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String redact(String text) {
        return Redactor.global().redact(text == null ? "" : text);
    }
}
