package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The gateway's key id and client wire ride along every copy, and the old six-part constructor still works. */
class CallContextTest {
    @Test
    void theSixPartConstructorMeansNoKeyAndNoClientWire() {
        CallContext context = new CallContext("go", "r1", "t1", "implementer", 2, 1);
        assertThat(context.keyId()).isEmpty();
        assertThat(context.clientWire()).isEmpty();
        assertThat(CallContext.NONE.keyId()).isEmpty();
        assertThat(new CallContext("go", "r1", "t1", "implementer", 2, 1, null, null).clientWire()).isEmpty();
    }

    @Test
    void everyCopyKeepsTheKeyAndTheWire() {
        CallContext context = CallContext.of("gateway").withKeyId("key-abc").withClientWire("anthropic");
        CallContext copied = context.withRole("r").withRun("run", "task").withAttempt(3).withFallbackStep(2);
        assertThat(copied.keyId()).isEqualTo("key-abc");
        assertThat(copied.clientWire()).isEqualTo("anthropic");
        assertThat(copied).isEqualTo(new CallContext("gateway", "run", "task", "r", 3, 2, "key-abc", "anthropic"));
    }
}
