package dev.ensemble.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Sandbox tests skip on a machine where no sandbox works (a developer's Mac, a container without
 * user namespaces) but fail where one is required: {@code .ci/run} sets
 * {@code ENSEMBLE_REQUIRE_SANDBOX=1} on Linux, so a CI machine that lost bubblewrap fails loudly
 * instead of passing a battery that never ran.
 */
public final class SandboxRequirement {
    public static final String VARIABLE = "ENSEMBLE_REQUIRE_SANDBOX";

    private SandboxRequirement() {}

    /** Continues when {@code usable}; otherwise fails (required here) or skips the test, saying why. */
    public static void require(boolean usable, String why) {
        if (usable) return;
        if ("1".equals(System.getenv(VARIABLE))) {
            Assertions.fail(VARIABLE + "=1 but no sandbox works here: " + why);
        }
        Assumptions.assumeTrue(false, "no sandbox here: " + why);
    }
}
