package dev.ensemble.core.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a list of tasks will cost before anything runs, over the candidates the router would
 * consider for each: min (the cheapest feasible model every time), expected (the router's choice
 * every time) and max (the priciest feasible model every time). Tasks no model can serve are listed
 * in {@code unroutable} and cost nothing here.
 */
public record CostForecast(List<Line> lines, double minUsd, double expectedUsd, double maxUsd, List<String> unroutable) {
    /** One task's range, and the model the router would pick. */
    public record Line(PlannedTask task, Optional<String> model, double minUsd, double expectedUsd, double maxUsd) {}

    public CostForecast {
        lines = List.copyOf(lines);
        unroutable = List.copyOf(unroutable);
    }

    public static CostForecast of(Router router, List<PlannedTask> tasks, Constraints constraints) {
        List<Line> lines = new ArrayList<>();
        List<String> unroutable = new ArrayList<>();
        double min = 0, expected = 0, max = 0;
        for (PlannedTask task : tasks) {
            RouteDecision decision = router.route(new RouteRequest(task.label(), task.kind(), task.estInputTokens(),
                    task.estOutputTokens(), constraints));
            if (decision.candidates().isEmpty()) {
                unroutable.add(task.label() + ": " + decision.whyNone());
                lines.add(new Line(task, Optional.empty(), 0, 0, 0));
                continue;
            }
            double lo = decision.candidates().stream().mapToDouble(Candidate::expectedCostUsd).min().orElseThrow();
            double hi = decision.candidates().stream().mapToDouble(Candidate::expectedCostUsd).max().orElseThrow();
            Candidate chosen = decision.chosen().orElseThrow();
            lines.add(new Line(task, Optional.of(chosen.model().id()), lo, chosen.expectedCostUsd(), hi));
            min += lo;
            expected += chosen.expectedCostUsd();
            max += hi;
        }
        return new CostForecast(lines, min, expected, max, unroutable);
    }

    /**
     * Whether a person must approve before the tasks run: when the expected cost is above the
     * threshold ({@link Budget#approveAboveUsd}). The expected figure, not the max, because the max
     * assumes the priciest model for every task, which the router would not do; the max is shown
     * beside it.
     */
    public boolean needsApproval(double thresholdUsd) {
        return expectedUsd > thresholdUsd;
    }
}
