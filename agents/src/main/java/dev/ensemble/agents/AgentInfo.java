package dev.ensemble.agents;

import dev.ensemble.core.WireProtocol;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What detection found: where the CLI is, its version, whether it can run here and why not, and
 * which wire protocols it can be pointed at (so the router knows which models it can drive).
 *
 * <p>A CLI that is installed but did not answer its version check in time is {@link Status#SLOW}:
 * usable (a loaded machine is no reason to refuse a working CLI), with the reason to show as a
 * warning, and never reported as missing.
 */
public record AgentInfo(String name, Status status, Optional<Path> binary, String version, String reason,
                        Set<WireProtocol> drives) {

    public enum Status {
        /** Found, and it answered its version check. */
        READY,
        /** Found, but its version check did not answer in time: usable, with a warning. */
        SLOW,
        /** Found, but it cannot run here (it crashed, printed no version, could not start). */
        UNUSABLE,
        /** Not found. */
        MISSING
    }

    public AgentInfo {
        Objects.requireNonNull(status, "status");
        drives = Set.copyOf(drives);
        version = version == null ? "" : version;
        reason = reason == null ? "" : reason;
    }

    /** Ready when {@code usable}, else unusable when a binary was found and missing when not. */
    public AgentInfo(String name, Optional<Path> binary, String version, boolean usable, String reason, Set<WireProtocol> drives) {
        this(name, usable ? Status.READY : binary.isPresent() ? Status.UNUSABLE : Status.MISSING, binary, version, reason, drives);
    }

    /** Whether a task may be dispatched to it: ready, or slow to answer (with a warning). */
    public boolean usable() {
        return status == Status.READY || status == Status.SLOW;
    }

    public static AgentInfo missing(String name, String reason, Set<WireProtocol> drives) {
        return new AgentInfo(name, Status.MISSING, Optional.empty(), "", reason, drives);
    }

    /** Installed (or at least registered) but its check did not answer within the deadline. */
    public static AgentInfo slow(String name, Optional<Path> binary, String reason, Set<WireProtocol> drives) {
        return new AgentInfo(name, Status.SLOW, binary, "", reason, drives);
    }
}
