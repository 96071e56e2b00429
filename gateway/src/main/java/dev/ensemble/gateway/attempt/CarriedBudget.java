package dev.ensemble.gateway.attempt;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import java.util.Objects;

/**
 * The budgets an attempt minted on a running gateway brings with it: the run's limits and what its
 * own ledger said was spent (today, in the run, in the task) when the attempt began. The gateway
 * adds what it metered for the attempt since, so the attempt's requests are checked as they would
 * be in the run's own process; parallel attempts of one run see each other's spending only at
 * their next mint.
 */
public record CarriedBudget(Budget limits, Spent spentAtStart) {
    public CarriedBudget {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(spentAtStart, "spentAtStart");
    }

    Spent plus(double meteredUsd) {
        return new Spent(spentAtStart.todayUsd() + meteredUsd, spentAtStart.runUsd() + meteredUsd, spentAtStart.taskUsd() + meteredUsd);
    }
}
