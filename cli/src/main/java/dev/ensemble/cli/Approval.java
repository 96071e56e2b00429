package dev.ensemble.cli;

import dev.ensemble.core.routing.CostForecast;
import java.io.Console;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Asks before spending much: when a forecast is above {@code budget.approve_above_usd}, the
 * command goes on only with {@code --yes} or a "y" typed at the console. Without a console (a
 * script, CI) and without {@code --yes} it refuses with exit 2, so nothing expensive runs unseen.
 * Below the threshold, or with none set, nothing is shown.
 */
final class Approval {
    private Approval() {}

    static void require(AppContext app, String what, double forecastUsd, boolean yes) {
        require(app, what, forecastUsd, yes, "nothing was sent", "pass --yes to approve");
    }

    /**
     * A run's forecast, shown on stderr before its first task is dispatched, then approved as
     * above when its max is over the threshold. The max, not the expected figure: approval is
     * about what the run could cost, as for {@code ask} and {@code exec}.
     *
     * @param howToApprove what the refusal suggests, e.g. the command that goes on once approved
     */
    static void forecast(AppContext app, String what, CostForecast forecast, int tasks, boolean yes, String howToApprove) {
        Terminal term = app.terminal();
        term.err().println("forecast: min " + Format.usd(forecast.minUsd()) + " · expected " + Format.usd(forecast.expectedUsd())
                + " · max " + Format.usd(forecast.maxUsd()) + " for " + tasks + (tasks == 1 ? " task" : " tasks"));
        if (!forecast.unroutable().isEmpty()) {
            term.err().println(term.yellow("  no model can serve: ") + String.join("; ", forecast.unroutable()));
        }
        require(app, what, forecast.maxUsd(), yes, "nothing was dispatched", howToApprove);
    }

    private static void require(AppContext app, String what, double forecastUsd, boolean yes, String nothingDone, String howToApprove) {
        OptionalDouble threshold = app.budget().approveAboveUsd();
        if (threshold.isEmpty() || forecastUsd <= threshold.getAsDouble()) return;
        String line = String.format(Locale.ROOT, "%s could cost up to %s, above budget.approve_above_usd %s", what,
                Format.usd(forecastUsd), Format.usd(threshold.getAsDouble()));
        Terminal term = app.terminal();
        if (yes) {
            term.err().println(term.dim(line + " — approved by --yes"));
            return;
        }
        Console console = System.console();
        if (console == null) throw new UserInputException(line + "; " + nothingDone + ": " + howToApprove);
        String answer = console.readLine("%s. Go ahead? [y/N] ", line);
        if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
            throw new UserInputException("not approved; " + nothingDone);
        }
    }
}
