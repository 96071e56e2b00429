package dev.ensemble.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Usage;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.gateway.Gatekeeper;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualKeysTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final ChatRequest REQUEST = ChatRequest.of(ChatMessage.user("write the tests"));

    @TempDir Path dir;
    private final TestClock clock = new TestClock(T0);
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private KeyStore store;
    private VirtualKeys keys;

    @BeforeEach
    void open() {
        store = KeyStore.open(dir.resolve("keys.db"), clock);
        keys = new VirtualKeys(store, TestCatalog.CATALOG, clock, "run-1", warnings::add);
    }

    @AfterEach
    void close() {
        store.close();
        assertThat(warnings).isEmpty();
    }

    private NewKey create(String name, Optional<KeyBudget> budget, List<String> models, int rpm, Optional<Instant> expires) {
        return store.create(name, budget, models, rpm, expires);
    }

    private Caller caller(NewKey key) {
        Admission admission = keys.authenticate(Optional.of(key.secret())).orElseThrow();
        assertThat(admission).isInstanceOf(Admission.Allowed.class);
        return ((Admission.Allowed) admission).caller();
    }

    private static Admission.Refused refused(Optional<Admission> admission) {
        assertThat(admission).containsInstanceOf(Admission.Refused.class);
        return (Admission.Refused) admission.orElseThrow();
    }

    private static CallRecord call(Caller caller, String model, double cost) {
        return new CallRecord(T0, caller.callContext("openai-chat"), "test", model, false, new Usage(100, 10, 0), cost,
                Duration.ofMillis(5), Duration.ofMillis(5), CallRecord.Outcome.OK, "", "");
    }

    @Test
    void aKnownKeyIsAVirtualKeyCallerWhoseCallsCarryItsPublicId() {
        NewKey key = create("ci-bot", Optional.empty(), List.of(), 0, Optional.empty());
        Caller caller = caller(key);
        assertThat(caller.kind()).isEqualTo(Caller.Kind.VIRTUAL_KEY);
        assertThat(caller.keyId()).isEqualTo(key.key().id());
        assertThat(caller.keyName()).isEqualTo("ci-bot");
        CallContext context = caller.callContext("anthropic");
        assertThat(context.keyId()).isEqualTo(key.key().id());
        assertThat(context.clientWire()).isEqualTo("anthropic");
        assertThat(context.toString()).doesNotContain(key.secret());
        assertThat(keys.admit(caller, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void secretsThatAreNotVirtualKeysAreLeftToTheOtherGatekeepers() {
        assertThat(keys.authenticate(Optional.empty())).isEmpty();
        assertThat(keys.authenticate(Optional.of("sk-ant-operator-token"))).isEmpty();
        Caller operator = new Caller(Caller.Kind.OPERATOR, "", "", CallContext.NONE);
        assertThat(keys.admit(operator, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void anUnknownRevokedOrExpiredKeyIsRefusedWith401WithoutEchoingIt() {
        String unknown = "ens-vk-" + "Z".repeat(43);
        Admission.Refused refusal = refused(keys.authenticate(Optional.of(unknown)));
        assertThat(refusal.httpStatus()).isEqualTo(401);
        assertThat(refusal.reason()).isEqualTo("unauthorized");
        assertThat(refusal.message()).startsWith("unknown virtual key").doesNotContain("ZZZZ");

        NewKey revoked = create("gone", Optional.empty(), List.of(), 0, Optional.empty());
        store.revoke("gone");
        refusal = refused(keys.authenticate(Optional.of(revoked.secret())));
        assertThat(refusal.httpStatus()).isEqualTo(401);
        assertThat(refusal.message()).isEqualTo("key gone (" + revoked.key().id() + ") was revoked at 2026-11-21 10:00 UTC")
                .doesNotContain(revoked.secret());

        NewKey expiring = create("brief", Optional.empty(), List.of(), 0, Optional.of(T0.plus(Duration.ofDays(1))));
        assertThat(keys.authenticate(Optional.of(expiring.secret()))).containsInstanceOf(Admission.Allowed.class);
        clock.advance(Duration.ofDays(1));
        refusal = refused(keys.authenticate(Optional.of(expiring.secret())));
        assertThat(refusal.httpStatus()).isEqualTo(401);
        assertThat(refusal.message()).isEqualTo("key brief (" + expiring.key().id() + ") expired at 2026-11-22 10:00 UTC");
    }

    @Test
    void aModelOutsideTheKeysListIsRefusedWith403AndAnAliasAllowsItsChain() {
        NewKey key = create("narrow", Optional.empty(), List.of("coding"), 0, Optional.empty());
        Caller caller = caller(key);
        assertThat(keys.admit(caller, "cheap", REQUEST)).isInstanceOf(Admission.Allowed.class);
        assertThat(keys.admit(caller, "local", REQUEST)).isInstanceOf(Admission.Allowed.class);
        Admission.Refused refusal = (Admission.Refused) keys.admit(caller, "pricey", REQUEST);
        assertThat(refusal.httpStatus()).isEqualTo(403);
        assertThat(refusal.reason()).isEqualTo("model not allowed");
        assertThat(refusal.message()).isEqualTo("key narrow (" + key.key().id() + ") may not use pricey; it may use coding");
    }

    @Test
    void requestsOverTheKeysRateAreRefusedWith429UntilTheMinuteHasPassed() {
        NewKey key = create("slow", Optional.empty(), List.of(), 2, Optional.empty());
        caller(key);
        clock.advance(Duration.ofSeconds(20));
        caller(key);
        clock.advance(Duration.ofSeconds(10));
        Admission.Refused refusal = refused(keys.authenticate(Optional.of(key.secret())));
        assertThat(refusal.httpStatus()).isEqualTo(429);
        assertThat(refusal.reason()).isEqualTo("rate limit");
        assertThat(refusal.message()).isEqualTo("key slow (" + key.key().id() + ") is over its limit of 2 requests a minute; retry in 30 s");
        clock.advance(Duration.ofSeconds(30));
        caller(key);  // the first request has left the window
        assertThat(keys.authenticate(Optional.of(key.secret()))).containsInstanceOf(Admission.Refused.class);
        NewKey other = create("other", Optional.empty(), List.of(), 2, Optional.empty());
        caller(other);  // each key has its own window
    }

    @Test
    void aCallThatCouldCrossTheKeysBudgetIsRefusedWith429SayingWhatIsLeft() {
        NewKey key = create("capped", Optional.of(new KeyBudget(0.2, BudgetPeriod.DAY)), List.of(), 0, Optional.empty());
        Caller caller = caller(key);
        Admission first = keys.admit(caller, "pricey", REQUEST);
        assertThat(first).isInstanceOf(Admission.Allowed.class);  // worst case ~$0.10 of $0.20
        keys.settle(caller, call(caller, "pricey", 0.17));
        ((Admission.Allowed) first).release().run();

        Admission.Refused refusal = (Admission.Refused) keys.admit(caller, "pricey", REQUEST);
        assertThat(refusal.httpStatus()).isEqualTo(429);
        assertThat(refusal.reason()).isEqualTo("key budget");
        assertThat(refusal.message()).startsWith("key budget: $0.03 left of $0.20 per day (key capped (" + key.key().id() + "));")
                .contains("this call to pricey could cost up to $0.10", "not sent");
        // A cheaper call still fits, and a free one always does.
        assertThat(keys.admit(caller, "cheap", REQUEST)).isInstanceOf(Admission.Allowed.class);
        keys.settle(caller, call(caller, "cheap", 0.05));
        assertThat(keys.admit(caller, "local", REQUEST)).isInstanceOf(Admission.Allowed.class);
        // The next UTC day starts a new count.
        clock.advance(Duration.ofDays(1));
        assertThat(keys.admit(caller, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void spendIsPersistedSoTheBudgetHoldsAfterTheGatewayRestarts() {
        NewKey key = create("capped", Optional.of(new KeyBudget(1, BudgetPeriod.TOTAL)), List.of(), 0, Optional.empty());
        keys.settle(caller(key), call(caller(key), "pricey", 0.95));
        store.close();

        store = KeyStore.open(dir.resolve("keys.db"), clock);
        keys = new VirtualKeys(store, TestCatalog.CATALOG, clock, "run-2", warnings::add);
        Admission.Refused refusal = (Admission.Refused) keys.admit(caller(key), "pricey", REQUEST);
        assertThat(refusal.message()).startsWith("key budget: $0.05 left of $1.00 in total");
        assertThat(store.spent(key.key().id(), "total")).isEqualTo(0.95);
    }

    @Test
    void aPerRunBudgetStartsAgainWithTheNextGatewayRun() {
        NewKey key = create("per-run", Optional.of(new KeyBudget(0.15, BudgetPeriod.RUN)), List.of(), 0, Optional.empty());
        keys.settle(caller(key), call(caller(key), "pricey", 0.1));
        assertThat(keys.admit(caller(key), "pricey", REQUEST)).isInstanceOf(Admission.Refused.class);
        VirtualKeys nextRun = new VirtualKeys(store, TestCatalog.CATALOG, clock, "run-2", warnings::add);
        assertThat(nextRun.admit(caller(key), "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void asOneOfSeveralGatekeepersItRefusesForItsOwnKeysOnly() {
        NewKey key = create("capped", Optional.empty(), List.of("cheap"), 0, Optional.empty());
        Gatekeeper operatorToken = new Gatekeeper() {
            @Override
            public Optional<Admission> authenticate(Optional<String> secret) {
                return secret.filter("operator-token-123"::equals)
                        .map(s -> Admission.allowed(new Caller(Caller.Kind.OPERATOR, "", "", CallContext.NONE)));
            }
        };
        Gatekeeper door = Gatekeeper.first(List.of(keys, operatorToken));
        Admission operator = door.authenticate(Optional.of("operator-token-123")).orElseThrow();
        assertThat(door.admit(((Admission.Allowed) operator).caller(), "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
        Admission virtual = door.authenticate(Optional.of(key.secret())).orElseThrow();
        assertThat(door.admit(((Admission.Allowed) virtual).caller(), "pricey", REQUEST)).isInstanceOf(Admission.Refused.class);
    }
}
