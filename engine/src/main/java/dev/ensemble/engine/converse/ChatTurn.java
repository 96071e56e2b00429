package dev.ensemble.engine.converse;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.FailedAttempt;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One message of a {@link DuoChat}.
 *
 * @param index           1, 2, 3 ... in the order spoken
 * @param round           the round it belongs to (from 1)
 * @param side            which side spoke: the implementer opens every round, the reviewer closes it
 * @param roleId          {@code implementer} or {@code reviewer} (or the configured roles that played them)
 * @param roleName        the role's display name ({@code Hephaestus})
 * @param modelId         the model that answered; for a turn without an answer, the one asked first
 * @param status          whether the answer arrived
 * @param content         the answer; for a timed-out or failed turn, the text that had streamed in before
 * @param usage           tokens; estimated (see {@code usageEstimated}) when the provider reported none or no answer came
 * @param usageEstimated  whether {@code usage} was counted here rather than reported by the provider
 * @param costUsd         from the catalog's pricing of {@code modelId}
 * @param latency         from the start of the turn to its answer (or to the end of the wait)
 * @param timeToFirstToken from the start of the turn to the first text of the answer that stands; zero when none came
 * @param error           why a timed-out or failed turn has no answer (redacted); empty otherwise
 * @param failures        attempts that failed before the answer (retries, fallbacks along the chain)
 */
public record ChatTurn(int index, int round, Side side, String roleId, String roleName, String modelId, Status status, String content,
                       Usage usage, boolean usageEstimated, double costUsd, Instant startedAt, Duration latency,
                       Duration timeToFirstToken, String error, List<FailedAttempt> failures) {

    public enum Side {
        IMPLEMENTER, REVIEWER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        OK, TIMED_OUT, FAILED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ChatTurn {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(roleId, "roleId");
        Objects.requireNonNull(roleName, "roleName");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
        content = content == null ? "" : content;
        error = error == null ? "" : error;
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
