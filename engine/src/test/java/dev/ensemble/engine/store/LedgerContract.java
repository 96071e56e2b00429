package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger's behaviour, the same on every database: SQLite and PostgreSQL subclasses supply an
 * open store. Sums are over costs that are exact in binary, so they compare with equality.
 */
abstract class LedgerContract {
    static final Instant T1 = Instant.parse("2026-11-20T09:00:00Z");
    static final Instant T2 = Instant.parse("2026-11-20T23:59:59.999Z");
    static final Instant T3 = Instant.parse("2026-11-21T00:00:00Z");
    static final Instant T4 = Instant.parse("2026-11-21T12:00:00Z");
    static final Instant T5 = Instant.parse("2026-11-21T13:00:00Z");

    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    protected Ledger ledger;

    protected abstract Store store();

    @BeforeEach
    void emptyLedger() {
        store().write(handle -> handle.execute("DELETE FROM model_calls"));
        ledger = configured(new Ledger(store(), Redactor.global(), new PrintStream(errors, true, StandardCharsets.UTF_8)));
    }

    /** The ledger under test as a subclass wants it (e.g. writing behind). */
    protected Ledger configured(Ledger fresh) {
        return fresh;
    }

    @AfterEach
    void nothingWentToStderr() {
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** Five calls over two UTC days, one of them failed, one not streamed. */
    void recordScenario() {
        ledger.onCall(Calls.ok(T1, "ask", "planner", "openai", "gpt-a", new Usage(1000, 200, 100), 0.25, 1000, true, 200));
        ledger.onCall(Calls.ok(T2, "run", "implementer", "anthropic", "claude-b", new Usage(2000, 400, 0), 0.5, 3000, true, 400));
        ledger.onCall(Calls.ok(T3, "run", "implementer", "openai", "gpt-a", new Usage(500, 100, 50), 0.125, 500, false, 500));
        ledger.onCall(Calls.failed(T4, "run", "reviewer", "anthropic", "claude-b", 2500, "rate_limited", "429 too many requests"));
        ledger.onCall(Calls.ok(T5, "review", "reviewer", "google", "gemini-c", new Usage(3000, 600, 1000), 1.0, 1500, true, 300));
    }

    @Test
    void summarizesByModelMostExpensiveFirst() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.MODEL))).containsExactly(
                new UsageRow("gemini-c", 1, 0, 3000, 600, 1000, 1.0, 1500, 300),
                new UsageRow("claude-b", 2, 1, 2000, 400, 0, 0.5, 2750, 400),
                new UsageRow("gpt-a", 2, 0, 1500, 300, 150, 0.375, 750, 200));
    }

    @Test
    void summarizesByUtcDayOldestFirst() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.DAY))).containsExactly(
                new UsageRow("2026-11-20", 2, 0, 3000, 600, 100, 0.75, 2000, 300),
                new UsageRow("2026-11-21", 3, 1, 3500, 700, 1050, 1.125, 1500, 300));
    }

    @Test
    void summarizesByRole() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.ROLE))).containsExactly(
                new UsageRow("reviewer", 2, 1, 3000, 600, 1000, 1.0, 2000, 300),
                new UsageRow("implementer", 2, 0, 2500, 500, 50, 0.625, 1750, 400),
                new UsageRow("planner", 1, 0, 1000, 200, 100, 0.25, 1000, 200));
    }

    @Test
    void summarizesByProvider() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.PROVIDER))).containsExactly(
                new UsageRow("google", 1, 0, 3000, 600, 1000, 1.0, 1500, 300),
                new UsageRow("anthropic", 2, 1, 2000, 400, 0, 0.5, 2750, 400),
                new UsageRow("openai", 2, 0, 1500, 300, 150, 0.375, 750, 200));
    }

    @Test
    void summarizesByCommand() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.COMMAND))).containsExactly(
                new UsageRow("review", 1, 0, 3000, 600, 1000, 1.0, 1500, 300),
                new UsageRow("run", 3, 1, 2500, 500, 50, 0.625, 2000, 400),
                new UsageRow("ask", 1, 0, 1000, 200, 100, 0.25, 1000, 200));
    }

    @Test
    void sinceIncludesItsOwnInstantAndNothingBefore() {
        recordScenario();
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.MODEL).withSince(T4))).containsExactly(
                new UsageRow("gemini-c", 1, 0, 3000, 600, 1000, 1.0, 1500, 300),
                new UsageRow("claude-b", 1, 1, 0, 0, 0, 0.0, 2500, 0));
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.DAY).withSince(T3)))
                .extracting(UsageRow::key).containsExactly("2026-11-21");
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.DAY).withSince(T5.plusMillis(1)))).isEmpty();
    }

    @Test
    void totalsSumEveryRowOrThoseSinceAnInstant() {
        recordScenario();
        assertThat(ledger.totals(Optional.empty())).isEqualTo(new Totals(5, 1, 6500, 1300, 1150, 1.875, 1700, 300));
        assertThat(ledger.totals(Optional.of(T3))).isEqualTo(new Totals(3, 1, 3500, 700, 1050, 1.125, 1500, 300));
        assertThat(ledger.totals(Optional.of(T5.plusSeconds(1)))).isEqualTo(Totals.NONE);
    }

    @Test
    void anEmptyLedgerSumsToNothing() {
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.MODEL))).isEmpty();
        assertThat(ledger.totals(Optional.empty())).isEqualTo(Totals.NONE);
        assertThat(ledger.recent(10)).isEmpty();
    }

    @Test
    void recentReturnsEveryColumnNewestFirst() {
        recordScenario();
        List<LedgerEntry> recent = ledger.recent(2);
        assertThat(recent).extracting(LedgerEntry::startedAt).containsExactly(T5, T4);
        LedgerEntry failed = recent.get(1);
        assertThat(failed.id()).isPositive();
        assertThat(failed).usingRecursiveComparison().ignoringFields("id").isEqualTo(new LedgerEntry(0, T4, "run",
                "run-1", "task-1", "reviewer", "anthropic", "claude-b", false, 0, 0, 0, 0.0, 2500, OptionalLong.empty(),
                CallRecord.Outcome.ERROR, "rate_limited", "429 too many requests", 2, 1));

        LedgerEntry first = ledger.recent(10).getLast();
        assertThat(first).usingRecursiveComparison().ignoringFields("id").isEqualTo(new LedgerEntry(0, T1, "ask",
                "run-1", "task-1", "planner", "openai", "gpt-a", true, 1000, 200, 100, 0.25, 1000, OptionalLong.of(200),
                CallRecord.Outcome.OK, "", "", 1, 0));
        assertThat(ledger.recent(10)).hasSize(5);
        assertThat(ledger.recent(0)).isEmpty();
    }

    @Test
    void aGatewayCallIsRecordedWithItsKeyAndClientWireAndCanBeGroupedByThem() {
        recordScenario();
        CallContext viaKey = CallContext.of("gateway").withKeyId("key-ci0000001").withClientWire("anthropic");
        ledger.onCall(new CallRecord(T5, viaKey, "openai", "gpt-a", true, new Usage(300, 30, 0), 0.5, Duration.ofMillis(900),
                Duration.ofMillis(120), CallRecord.Outcome.OK, "", ""));
        ledger.onCall(new CallRecord(T5, viaKey.withClientWire("openai-chat"), "anthropic", "claude-b", false,
                new Usage(100, 10, 0), 0.25, Duration.ofMillis(300), Duration.ofMillis(300), CallRecord.Outcome.OK, "", ""));

        LedgerEntry latest = ledger.recent(1).getFirst();
        assertThat(latest.keyId()).isEqualTo("key-ci0000001");
        assertThat(latest.clientWire()).isEqualTo("openai-chat");
        assertThat(latest.model()).isEqualTo("claude-b");
        LedgerEntry streamed = ledger.recent(2).get(1);
        assertThat(streamed.clientWire()).isEqualTo("anthropic");
        assertThat(streamed.ttftMs()).hasValue(120);
        assertThat(streamed.latencyMs()).isEqualTo(900);

        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.KEY))).containsExactly(
                new UsageRow("", 5, 1, 6500, 1300, 1150, 1.875, 1700, 300),
                new UsageRow("key-ci0000001", 2, 0, 400, 40, 0, 0.75, 600, 120));
        assertThat(ledger.summarize(UsageQuery.by(UsageGrouping.WIRE))).extracting(UsageRow::key, UsageRow::calls)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("", 5L), org.assertj.core.groups.Tuple.tuple("anthropic", 1L),
                        org.assertj.core.groups.Tuple.tuple("openai-chat", 1L));
    }

    @Test
    void callsStartedTogetherComeBackInReverseInsertionOrder() {
        ledger.onCall(Calls.simple(T1, "first"));
        ledger.onCall(Calls.simple(T1, "second"));
        assertThat(ledger.recent(2)).extracting(LedgerEntry::model).containsExactly("second", "first");
    }

    @Test
    void missingPartsOfARecordAreStoredAsEmptyNotRejected() {
        ledger.onCall(new CallRecord(T1, null, "openai", "gpt-a", true, null, 0, null, null,
                CallRecord.Outcome.OK, null, null));
        LedgerEntry entry = ledger.recent(1).getFirst();
        assertThat(entry.command()).isEmpty();
        assertThat(entry.inputTokens()).isZero();
        assertThat(entry.latencyMs()).isZero();
        assertThat(entry.ttftMs()).isEmpty();
        assertThat(entry.attempt()).isEqualTo(CallContext.NONE.attempt());
    }

    @Test
    void subMillisecondPartsAreDroppedNotRounded() {
        ledger.onCall(Calls.simple(T1.plus(Duration.ofNanos(1_999_999)), "gpt-a"));
        assertThat(ledger.recent(1).getFirst().startedAt()).isEqualTo(T1.plusMillis(1));
    }

    @Test
    void theStoreTakesWrites() {
        StoreCheck check = store().check();
        assertThat(check.writable()).as(check.problem()).isTrue();
        assertThat(check.problem()).isEmpty();
        assertThat(check.description()).isEqualTo(store().description());
        assertThat(ledger.totals(Optional.empty()).calls()).as("the probe row is rolled back").isZero();
    }
}
