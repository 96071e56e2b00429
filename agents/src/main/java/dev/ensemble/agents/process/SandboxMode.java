package dev.ensemble.agents.process;

import java.util.Locale;
import java.util.Optional;

/** {@code policy.sandbox}: whether a run needs an OS sandbox, takes one when there is one, or runs without. */
public enum SandboxMode {
    /** Refuse to run (exit 2, before anything is written) when no mechanism works here. */
    REQUIRED,
    /** Use the sandbox when one works; otherwise one loud warning per run. The default. */
    PREFERRED,
    /** Never sandbox (the process-tree kill and the clean environment still apply). */
    OFF;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SandboxMode> parse(String text) {
        for (SandboxMode m : values()) {
            if (m.key().equals(text)) return Optional.of(m);
        }
        return Optional.empty();
    }
}
