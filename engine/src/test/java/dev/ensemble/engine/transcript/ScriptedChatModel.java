package dev.ensemble.engine.transcript;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.ChatModel;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.FinishReason;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.StreamListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** A model that answers from a script, in order (a failure is a {@link ModelException}), and keeps what it was asked. */
final class ScriptedChatModel implements ChatModel {
    final List<ChatRequest> requests = new ArrayList<>();
    private final ModelSpec spec;
    private final Deque<Object> answers;

    ScriptedChatModel(String id, Object... answers) {
        this.spec = spec(id, "test");
        this.answers = new ArrayDeque<>(List.of(answers));
    }

    static ModelSpec spec(String id, String family) {
        return new ModelSpec(id, "scripted", id, family, Pricing.FREE, 32_000, 2_000, 50, true, true, Map.of());
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public synchronized ChatResponse chat(ChatRequest request, StreamListener listener) {
        requests.add(request);
        Object next = answers.size() > 1 ? answers.removeFirst() : answers.getFirst();
        if (next instanceof ModelException e) throw e;
        return new ChatResponse((String) next, List.of(), FinishReason.STOP, new Usage(120, 30, 0), spec.id(), Duration.ofMillis(42),
                Duration.ofMillis(7), List.of());
    }
}
