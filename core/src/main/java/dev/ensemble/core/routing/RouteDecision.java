package dev.ensemble.core.routing;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The ranked candidates (best first) and the excluded models with their reasons. */
public record RouteDecision(List<Candidate> candidates, List<Exclusion> exclusions) {
    public RouteDecision {
        candidates = List.copyOf(candidates);
        exclusions = List.copyOf(exclusions);
    }

    public Optional<Candidate> chosen() {
        return candidates.isEmpty() ? Optional.empty() : Optional.of(candidates.getFirst());
    }

    /**
     * Why nothing can serve, for an error message: every distinct exclusion reason with how many
     * models it hit, most common first ("21 models: cloud model, local-only mode; not pulled in
     * Ollama ... (ollama pull qwen3-coder:30b)"), so the fix is in the message.
     */
    public String whyNone() {
        if (exclusions.isEmpty()) return "no model in the catalog has a capability score for this kind";
        return exclusions.stream().collect(Collectors.groupingBy(Exclusion::reason, java.util.LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .map(e -> e.getValue() == 1 ? e.getKey() : e.getValue() + " models: " + e.getKey())
                .collect(Collectors.joining("; "));
    }
}
