package dev.ensemble.cli;

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
        if (console == null) throw new UserInputException(line + "; nothing was sent: pass --yes to approve");
        String answer = console.readLine("%s. Go ahead? [y/N] ", line);
        if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
            throw new UserInputException("not approved; nothing was sent");
        }
    }
}
