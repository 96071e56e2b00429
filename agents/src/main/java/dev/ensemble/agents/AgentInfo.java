package dev.ensemble.agents;

import dev.ensemble.core.WireProtocol;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What detection found: where the CLI is, its version, whether it can run here and why not, and
 * which wire protocols it can be pointed at (so the router knows which models it can drive).
 */
public record AgentInfo(String name, Optional<Path> binary, String version, boolean usable, String reason,
                        Set<WireProtocol> drives) {
    public AgentInfo {
        drives = Set.copyOf(drives);
        version = version == null ? "" : version;
        reason = reason == null ? "" : reason;
    }

    public static AgentInfo missing(String name, String reason, Set<WireProtocol> drives) {
        return new AgentInfo(name, Optional.empty(), "", false, reason, drives);
    }
}
