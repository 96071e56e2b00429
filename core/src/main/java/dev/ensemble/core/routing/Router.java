package dev.ensemble.core.routing;

import dev.ensemble.core.Capability;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.TaskKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the model for a task: drops every model that cannot serve it (with the reason), scores
 * the rest by expected quality, cost and speed ({@link RoutingSettings}), and ranks them. Pure: the
 * caller supplies the models, their availability and the evidence, so a decision is reproducible.
 *
 * <p>Exclusions are checked in a fixed order and only the first reason is given: unavailable (from
 * the caller), cloud model in local-only mode, no capability score for the kind, no tool calling,
 * context window too small, output limit too small, worst-case cost over the budget left, expected
 * time over the latency bound.
 */
public final class Router {
    private final List<ModelSpec> models;
    private final RoutingSettings settings;
    private final EvidenceSource evidence;

    public Router(Collection<ModelSpec> models, RoutingSettings settings, EvidenceSource evidence) {
        this.models = List.copyOf(models);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.evidence = Objects.requireNonNull(evidence, "evidence");
    }

    public RoutingSettings settings() {
        return settings;
    }

    public RouteDecision route(RouteRequest request) {
        Map<String, Map<TaskKind, Evidence>> seen = evidence.evidence();
        List<Scored> scored = new ArrayList<>();
        List<Exclusion> exclusions = new ArrayList<>();
        for (ModelSpec model : models) {
            Optional<String> why = exclusion(model, request);
            if (why.isPresent()) {
                exclusions.add(new Exclusion(model, why.get()));
                continue;
            }
            Evidence e = seen.getOrDefault(model.id(), Map.of()).getOrDefault(request.kind(), Evidence.NONE);
            scored.add(score(model, request, e));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.model.id()));
        List<Candidate> candidates = new ArrayList<>();
        for (Scored s : scored) candidates.add(s.toCandidate(reason(s, scored, request.kind())));
        return new RouteDecision(candidates, exclusions);
    }

    private Optional<String> exclusion(ModelSpec model, RouteRequest request) {
        Constraints c = request.constraints();
        String unavailable = c.unavailable().get(model.id());
        if (unavailable != null) return Optional.of(unavailable);
        if (c.localOnly() && !model.local()) return Optional.of("cloud model, local-only mode");
        if (model.capability(request.kind()).isEmpty()) return Optional.of("no capability score for " + request.kind().key());
        if (c.needsTools() && !model.supportsTools()) return Optional.of("no tool calling");
        long needed = Math.max(c.minContextWindow(), request.estInputTokens() + request.estOutputTokens());
        if (model.contextWindow() < needed) {
            return Optional.of("context " + tokens(model.contextWindow()) + " < " + tokens(needed) + " needed");
        }
        if (model.maxOutputTokens() < request.estOutputTokens()) {
            return Optional.of("max output " + tokens(model.maxOutputTokens()) + " < " + tokens(request.estOutputTokens()) + " expected");
        }
        if (c.budgetLeftUsd().isPresent()) {
            double worst = Costs.worstCaseUsd(model, request.estInputTokens(), c.outputCap());
            if (worst > c.budgetLeftUsd().getAsDouble()) {
                return Optional.of("over budget: worst case " + usd(worst) + " > " + usd(c.budgetLeftUsd().getAsDouble()) + " left");
            }
        }
        if (c.latencyBound().isPresent()) {
            double seconds = Costs.expectedSeconds(model, request.estOutputTokens());
            double bound = c.latencyBound().get().toMillis() / 1000.0;
            if (seconds > bound) return Optional.of(String.format(Locale.ROOT, "too slow: ~%.0f s > %.0f s bound", seconds, bound));
        }
        return Optional.empty();
    }

    private Scored score(ModelSpec model, RouteRequest request, Evidence e) {
        Capability capability = model.capability(request.kind()).orElseThrow();
        double quality = QualityEstimate.posteriorMean(capability.score(), settings.priorStrength(), e);
        double cost = Costs.expectedUsd(model, request.estInputTokens(), request.estOutputTokens());
        double worst = Costs.worstCaseUsd(model, request.estInputTokens(), request.constraints().outputCap());
        double seconds = Costs.expectedSeconds(model, request.estOutputTokens());
        double score = settings.qualityWeight() * quality
                - settings.costWeight() * Math.log1p(cost / settings.costScaleUsd())
                - settings.speedWeight() * Math.log1p(seconds / settings.secondsScale());
        return new Scored(model, capability.score(), e, score, quality, cost, worst, seconds);
    }

    /** "coding 9.5/10, $0.012, ~8 s: best quality, fastest" — what makes this one stand out among the candidates. */
    private static String reason(Scored s, List<Scored> all, TaskKind kind) {
        StringBuilder line = new StringBuilder();
        line.append(kind.key()).append(' ').append(String.format(Locale.ROOT, "%.1f/10", s.capability));
        if (s.evidence.outcomes() > 0) {
            line.append(String.format(Locale.ROOT, " → %.1f after %d of %d passed", s.quality * 10, s.evidence.successes(), s.evidence.outcomes()));
        }
        line.append(", ").append(usd(s.cost)).append(String.format(Locale.ROOT, ", ~%s", seconds(s.seconds)));
        List<String> marks = new ArrayList<>();
        if (all.getFirst() == s) marks.add(all.size() == 1 ? "the only candidate" : "best balance of quality, cost and speed");
        if (all.size() > 1) {
            if (all.stream().allMatch(o -> o.quality <= s.quality)) marks.add("best quality");
            if (all.stream().allMatch(o -> o.cost >= s.cost)) marks.add(s.cost == 0 ? "free (local)" : "cheapest");
            if (all.stream().allMatch(o -> o.seconds >= s.seconds)) marks.add("fastest");
            if (all.getFirst() != s) {
                Scored best = all.getFirst();
                if (s.quality < best.quality) {
                    marks.add(String.format(Locale.ROOT, "%.2f less quality", best.quality - s.quality));
                }
                if (s.cost > best.cost) marks.add(String.format(Locale.ROOT, "%.1f× the cost", best.cost == 0 ? Double.POSITIVE_INFINITY : s.cost / best.cost));
            }
        }
        if (!marks.isEmpty()) line.append(": ").append(String.join(", ", marks));
        return line.toString();
    }

    static String usd(double usd) {
        if (usd == 0) return "$0";
        if (usd < 0.01) return String.format(Locale.ROOT, "$%.4f", usd);
        return String.format(Locale.ROOT, "$%.2f", usd);
    }

    static String tokens(long n) {
        if (n < 1000) return Long.toString(n);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.0fk", n / 1000.0);
        return String.format(Locale.ROOT, "%.1fM", n / 1_000_000.0);
    }

    private static String seconds(double s) {
        return s < 10 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%.0f s", s);
    }

    private record Scored(ModelSpec model, double capability, Evidence evidence, double score, double quality, double cost,
                          double worst, double seconds) {
        Candidate toCandidate(String reason) {
            return new Candidate(model, score, quality, cost, worst, seconds, reason);
        }
    }
}
