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
 * Chooses the model for a task: drops every model that cannot serve it (with the reason) and ranks
 * the rest by the configured {@link RoutingStrategy}. Pure: the caller supplies the models, their
 * availability and the evidence, so a decision is reproducible.
 *
 * <p><b>expected-cost</b> (default), the choice a cost-conscious engineer makes: estimate how hard
 * the task is for its kind ({@link DifficultyEstimator}, from the text and token counts only), give
 * each candidate a chance of passing ({@link PassModel}: capability, moved by evidence, against that
 * difficulty), and its expected cost to a passing result counting escalation:
 * <pre>
 * E(m) = cost(m) + (1 − P(m)) × min E(s) over the candidates s stronger than m (higher P(pass))
 * </pre>
 * computed from the strongest down (the strongest: E = its cost). This treats a failure of m as
 * telling nothing about s, which understates escalation a little; ensemble's fallback then re-routes
 * without m. The first choice is the lowest E among candidates with P(pass) ≥ {@code pass_floor};
 * the rest follow by E, then those under the floor by P(pass). With none over the floor, the most
 * likely to pass comes first. {@link Candidate#expectedQuality()} is P(pass) here.
 *
 * <p><b>quality-first</b>: the weighted quality, cost and speed score of {@link RoutingSettings}.
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
        return settings.strategy() == RoutingStrategy.QUALITY_FIRST ? qualityFirst(request) : expectedCost(request);
    }

    private RouteDecision expectedCost(RouteRequest request) {
        Map<String, Map<TaskKind, Evidence>> seen = evidence.evidence();
        Difficulty difficulty = DifficultyEstimator.estimate(request.task(), request.kind(), request.estInputTokens(), request.estOutputTokens());
        List<Priced> priced = new ArrayList<>();
        List<Exclusion> exclusions = new ArrayList<>();
        for (ModelSpec model : models) {
            Optional<String> why = exclusion(model, request);
            if (why.isPresent()) {
                exclusions.add(new Exclusion(model, why.get()));
                continue;
            }
            Evidence e = seen.getOrDefault(model.id(), Map.of()).getOrDefault(request.kind(), Evidence.NONE);
            double capability = model.capability(request.kind()).orElseThrow().score();
            double effective = PassModel.effectiveCapability(capability, settings.priorStrength(), e);
            double p = PassModel.passProbability(effective, difficulty.score(), settings.passSlope());
            priced.add(new Priced(model, capability, effective, e, p,
                    Costs.expectedUsd(model, request.estInputTokens(), request.estOutputTokens()),
                    Costs.worstCaseUsd(model, request.estInputTokens(), request.constraints().outputCap()),
                    Costs.expectedSeconds(model, request.estOutputTokens())));
        }
        // Strongest first, so each model's escalation target is already priced.
        priced.sort(Comparator.comparingDouble(Priced::p).reversed().thenComparingDouble(Priced::cost).thenComparing(x -> x.model.id()));
        double[] expected = new double[priced.size()];
        for (int i = 0; i < priced.size(); i++) {
            double escalation = Double.POSITIVE_INFINITY;
            for (int j = 0; j < i; j++) {
                if (priced.get(j).p > priced.get(i).p) escalation = Math.min(escalation, expected[j]);
            }
            Priced m = priced.get(i);
            expected[i] = m.cost + (Double.isInfinite(escalation) ? 0 : (1 - m.p) * escalation);
        }
        List<Ranked> ranked = new ArrayList<>();
        for (int i = 0; i < priced.size(); i++) ranked.add(new Ranked(priced.get(i), expected[i], priced.get(i).p >= settings.passFloor()));
        ranked.sort(Comparator.comparing((Ranked r) -> !r.overFloor)
                .thenComparingDouble(r -> r.overFloor ? r.expected : -r.priced.p)
                .thenComparingDouble(r -> r.priced.cost).thenComparing(r -> r.priced.model.id()));
        List<Candidate> candidates = new ArrayList<>();
        for (Ranked r : ranked) {
            Priced m = r.priced;
            // Over the floor: −E, so a higher score is better; under it: below every candidate over it.
            double score = r.overFloor ? -r.expected : m.p - 1000;
            candidates.add(new Candidate(m.model, score, m.p, m.cost, m.worst, m.seconds, r.expected,
                    expectedCostReason(r, ranked, difficulty, request.kind())));
        }
        return new RouteDecision(candidates, exclusions);
    }

    /** "P(pass) 0.82 for difficulty 4.0 (coding 6.1/10), expected $0.004 incl. escalation: cheapest expected cost". */
    private String expectedCostReason(Ranked r, List<Ranked> all, Difficulty difficulty, TaskKind kind) {
        Priced m = r.priced;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "P(pass) %.2f for difficulty %.1f (%s %.1f/10",
                m.p, difficulty.score(), kind.key(), m.capability));
        if (m.evidence.outcomes() > 0) {
            line.append(String.format(Locale.ROOT, " → %.1f after %d of %d passed", m.effective, m.evidence.successes(), m.evidence.outcomes()));
        }
        line.append("), expected ").append(usd(r.expected)).append(" incl. escalation (").append(usd(m.cost)).append(" a try)");
        if (all.getFirst() == r) {
            line.append(all.size() == 1 ? ": the only candidate" : r.overFloor ? ": lowest expected cost" : ": none reaches the pass floor, most likely to pass");
            line.append("; difficulty: ").append(difficulty.reason());
        } else if (!r.overFloor) {
            line.append(String.format(Locale.ROOT, ": under the pass floor %.2f", settings.passFloor()));
        }
        return line.toString();
    }

    private record Priced(ModelSpec model, double capability, double effective, Evidence evidence, double p, double cost, double worst,
                          double seconds) {}

    private record Ranked(Priced priced, double expected, boolean overFloor) {}

    private RouteDecision qualityFirst(RouteRequest request) {
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
            return new Candidate(model, score, quality, cost, worst, seconds, cost, reason);
        }
    }
}
