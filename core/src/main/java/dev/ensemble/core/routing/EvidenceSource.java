package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.Map;

/**
 * Where the router reads past outcomes: model id → kind → evidence. The store implements it over
 * recorded task verdicts; tests and the first run use {@link #NONE} or {@link #of}. Read once per
 * decision, so an implementation may query lazily.
 */
@FunctionalInterface
public interface EvidenceSource {
    EvidenceSource NONE = Map::of;

    Map<String, Map<TaskKind, Evidence>> evidence();

    static EvidenceSource of(Map<String, Map<TaskKind, Evidence>> evidence) {
        Map<String, Map<TaskKind, Evidence>> copy = Map.copyOf(evidence);
        return () -> copy;
    }
}
