package dev.ensemble.engine.store;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.routing.Evidence;
import dev.ensemble.core.routing.EvidenceSource;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The router's evidence read from the store's recorded outcomes: model id → kind → passes,
 * failures, mean cost and duration. Queried on every decision, so an outcome recorded a moment
 * ago moves the next route. {@code since} limits learning to recent outcomes (models and the
 * repository change; old verdicts may no longer say much).
 */
public final class StoreEvidence implements EvidenceSource {
    private final OutcomeLog outcomes;
    private final Optional<Instant> since;

    public StoreEvidence(OutcomeLog outcomes, Optional<Instant> since) {
        this.outcomes = outcomes;
        this.since = since;
    }

    public StoreEvidence(Store store) {
        this(new OutcomeLog(store), Optional.empty());
    }

    @Override
    public Map<String, Map<TaskKind, Evidence>> evidence() {
        Map<String, Map<TaskKind, Evidence>> byModel = new HashMap<>();
        for (OutcomeLog.Summary s : outcomes.summarize(since)) {
            byModel.computeIfAbsent(s.model(), m -> new EnumMap<>(TaskKind.class)).put(s.kind(), s.evidence());
        }
        return byModel;
    }
}
