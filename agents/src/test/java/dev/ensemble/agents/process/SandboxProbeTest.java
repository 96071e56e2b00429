package dev.ensemble.agents.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The probe runs once per process, started early by a run command and joined by the first launch. */
class SandboxProbeTest {
    @Test
    void aPrefetchedProbeIsTheOneDetectReturnsAndItRunsOnce() {
        var first = SandboxProbe.prefetch();
        var second = SandboxProbe.prefetch();
        Sandbox detected = SandboxProbe.detect();
        // Whoever started it (this test, or an earlier one in this JVM), there is one result.
        assertThat(first.join()).isSameAs(detected);
        assertThat(second.join()).isSameAs(detected);
        assertThat(SandboxProbe.detect()).isSameAs(detected);
        assertThat(SandboxProbe.prefetch().join()).isSameAs(detected);
    }
}
