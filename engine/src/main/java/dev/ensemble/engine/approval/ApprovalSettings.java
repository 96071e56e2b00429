package dev.ensemble.engine.approval;

import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import dev.ensemble.core.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The {@code approvals:} section.
 *
 * <pre>
 * approvals:
 *   wait: 10m     # without a console, wait this long for `ensemble approve` (or the API) instead of exit 2
 * </pre>
 *
 * @param waitFor {@code approvals.wait}: how long a pending approval waits for an answer. Unset: a command with a console asks
 *             there and waits {@link #INTERACTIVE_DEFAULT}; one without a console refuses at once
 *             (exit 2), as before approvals were recorded. A timeout rejects.
 */
public record ApprovalSettings(Optional<Duration> waitFor) {
    public static final ApprovalSettings DEFAULT = new ApprovalSettings(Optional.empty());
    /** Long enough to come back from lunch; short enough that a forgotten prompt does not hold a run for days. */
    public static final Duration INTERACTIVE_DEFAULT = Duration.ofHours(1);

    public ApprovalSettings {
        Objects.requireNonNull(waitFor, "waitFor");
    }

    /** How long to wait for an answer: {@code wait}, else the interactive default with a console and nothing without one. */
    public Optional<Duration> waitFor(boolean console) {
        return waitFor.isPresent() ? waitFor : console ? Optional.of(INTERACTIVE_DEFAULT) : Optional.empty();
    }

    /** @throws ConfigException naming {@code approvals.wait} at its file and line */
    public static ApprovalSettings load(JsonNode section, ConfigLocator locator) {
        if (section == null || section.isMissingNode() || section.isNull() || section.isEmpty()) return DEFAULT;
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("approvals", "expected a mapping")));
        JsonNode wait = section.path("wait");
        if (wait.isMissingNode() || wait.isNull()) return DEFAULT;
        try {
            Duration d = Durations.parse(wait.asString());
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("expected a duration above zero, such as 10m");
            return new ApprovalSettings(Optional.of(d));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(locator.error("approvals.wait", e.getMessage())));
        }
    }
}
