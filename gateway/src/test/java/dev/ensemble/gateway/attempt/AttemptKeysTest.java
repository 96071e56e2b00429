package dev.ensemble.gateway.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.Usage;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.SpendSource;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The attempt keys' own rules, without a server: who a key is, budgets during a run, the runaway guard, revocation. */
class AttemptKeysTest {
    private static final ModelSpec PAID = new ModelSpec("paid", "p", "paid-wire", "test",
            new Pricing(1000, 1000, 0, "test", LocalDate.of(2026, 11, 1)), 128_000, 100, 50, false, true, Map.of());
    private static final ModelSpec FREE = new ModelSpec("free", "p", "free", "test",
            new Pricing(0, 0, 0, "test", LocalDate.of(2026, 11, 1)), 128_000, 100, 50, true, true, Map.of());
    private static final Catalog CATALOG = new Catalog(
            Map.of("p", new ProviderSpec("p", WireProtocol.OPENAI_CHAT, "http://127.0.0.1:9/v1", Optional.empty(), false)),
            Map.of("paid", PAID, "free", FREE), Map.of());
    private static final CallContext CONTEXT = CallContext.of("agent:claude").withRun("run-1", "t1").withAttempt(2);
    private static final ToolSpec WRITE = new ToolSpec("Write", "writes a file", tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "object"));

    private final List<CallRecord> ledger = new ArrayList<>();
    private final SpendSource spend = context -> {
        double run = ledger.stream().filter(r -> r.context().runId().equals(context.runId())).mapToDouble(CallRecord::costUsd).sum();
        double task = ledger.stream().filter(r -> r.context().runId().equals(context.runId())
                && r.context().taskId().equals(context.taskId())).mapToDouble(CallRecord::costUsd).sum();
        return new Spent(run, run, task);
    };

    private AttemptKeys keys(Budget budget, RunawayLimits limits) {
        return new AttemptKeys(CATALOG, budget, spend, limits);
    }

    private static Budget taskBudget(double usd) {
        return new Budget(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(usd), 0.8, OptionalDouble.empty());
    }

    @Test
    void aKeyNamesItsAttemptUntilTheAttemptEnds() {
        AttemptKeys keys = keys(Budget.DEFAULT, RunawayLimits.DEFAULT);
        Attempt attempt = keys.issue(CONTEXT, r -> { });
        assertThat(attempt.secret()).startsWith(AttemptKeys.PREFIX).doesNotContain(attempt.keyId());
        assertThat(Redactor.global().redact("key " + attempt.secret())).doesNotContain(attempt.secret());

        Admission who = keys.authenticate(Optional.of(attempt.secret())).orElseThrow();
        Caller caller = ((Admission.Allowed) who).caller();
        assertThat(caller.kind()).isEqualTo(Caller.Kind.ATTEMPT);
        assertThat(caller.context()).isEqualTo(CONTEXT);
        assertThat(caller.keyId()).isEqualTo(attempt.keyId());
        assertThat(keys.authenticate(Optional.of("sk-someone-else"))).as("not ours: the next gatekeeper decides").isEmpty();
        assertThat(keys.authenticate(Optional.empty())).isEmpty();

        attempt.close();
        assertThat(keys.authenticate(Optional.of(attempt.secret())).orElseThrow())
                .isInstanceOfSatisfying(Admission.Refused.class, r -> assertThat(r.httpStatus()).isEqualTo(401));
        assertThat(keys.admit(caller, "paid", request(user("hi"))))
                .isInstanceOfSatisfying(Admission.Refused.class, r -> assertThat(r.httpStatus()).isEqualTo(401));
        assertThat(keys.active()).isZero();
    }

    @Test
    void theFirstRequestThatCouldCrossTheTaskBudgetIsRefusedAndTheOwnerToldOnce() {
        AttemptKeys keys = keys(taskBudget(0.25), RunawayLimits.OFF);
        List<Refusal> told = new ArrayList<>();
        Attempt attempt = keys.issue(CONTEXT, told::add);
        Caller caller = caller(keys, attempt);
        // Worst case of one request: ~few input tokens + 100 output tokens at $1000/Mtok ≈ $0.1.
        // Each admission holds its worst case until its step is over (settled, then released), as the server does.
        Admission one = keys.admit(caller, "paid", request(user("one")));
        assertThat(one).isInstanceOf(Admission.Allowed.class);
        settle(keys, caller, 0.1);
        ((Admission.Allowed) one).release().run();
        Admission two = keys.admit(caller, "paid", request(user("two")));
        assertThat(two).isInstanceOf(Admission.Allowed.class);
        settle(keys, caller, 0.1);
        ((Admission.Allowed) two).release().run();

        Admission third = keys.admit(caller, "paid", request(user("three")));
        assertThat(third).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo("task budget");
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.message()).contains("task budget $0.25", "spent $0.20", "$0.05 left", "not sent");
        });
        assertThat(told).extracting(Refusal::reason).containsExactly("task budget");
        assertThat(attempt.refusal()).map(Refusal::reason).contains("task budget");
        assertThat(attempt.costUsd()).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(attempt.calls()).isEqualTo(2);

        assertThat(keys.admit(caller, "free", request(user("four")))).as("the attempt stays stopped, even for a free model")
                .isInstanceOfSatisfying(Admission.Refused.class, r -> assertThat(r.reason()).isEqualTo("task budget"));
        assertThat(told).hasSize(1);
    }

    @Test
    void theRunBudgetCountsEveryTaskOfTheRun() {
        Budget budget = new Budget(OptionalDouble.empty(), OptionalDouble.of(0.15), OptionalDouble.of(5), 0.8, OptionalDouble.empty());
        AttemptKeys keys = keys(budget, RunawayLimits.OFF);
        ledger.add(record(CallContext.of("agent:codex").withRun("run-1", "t0"), 0.1));
        Attempt attempt = keys.issue(CONTEXT, r -> { });
        assertThat(keys.admit(caller(keys, attempt), "paid", request(user("hi"))))
                .isInstanceOfSatisfying(Admission.Refused.class, r -> assertThat(r.reason()).isEqualTo("run budget"));
    }

    @Test
    void aFreeModelIsNeverRefusedForMoney() {
        AttemptKeys keys = keys(taskBudget(0), RunawayLimits.OFF);
        Attempt attempt = keys.issue(CONTEXT, r -> { });
        assertThat(keys.admit(caller(keys, attempt), "free", request(user("hi")))).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void theSameToolCallRepeatedIsARunaway() {
        AttemptKeys keys = keys(Budget.DEFAULT, new RunawayLimits(3, 0));
        AtomicReference<Refusal> told = new AtomicReference<>();
        Attempt attempt = keys.issue(CONTEXT, told::set);
        Caller caller = caller(keys, attempt);
        List<ChatMessage> history = new ArrayList<>(List.of(user("write a.txt")));
        for (int i = 1; i <= 2; i++) {
            // Same call each time; arguments spelled differently still count as the same.
            history.add(new ChatMessage.Assistant("", List.of(new ToolCall("c" + i, "Write",
                    i == 1 ? "{\"file_path\":\"a.txt\",\"content\":\"x\"}" : "{ \"content\": \"x\", \"file_path\": \"a.txt\" }"))));
            history.add(new ChatMessage.ToolResult("c" + i, "Write", "ok " + i, false));
            assertThat(keys.admit(caller, "paid", request(history))).isInstanceOf(Admission.Allowed.class);
        }
        history.add(new ChatMessage.Assistant("", List.of(new ToolCall("c3", "Write", "{\"file_path\":\"a.txt\",\"content\":\"x\"}"))));
        history.add(new ChatMessage.ToolResult("c3", "Write", "ok 3", false));
        Admission refused = keys.admit(caller, "paid", request(history));
        assertThat(refused).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo("runaway");
            assertThat(r.message()).contains("Write", "3 times in a row");
        });
        assertThat(told.get().reason()).isEqualTo("runaway");
    }

    @Test
    void requestsThatBringNoNewToolResultAreARunawayButSideCallsAndRetriesDoNotCount() {
        AttemptKeys keys = keys(Budget.DEFAULT, new RunawayLimits(0, 3));
        Attempt attempt = keys.issue(CONTEXT, r -> { });
        Caller caller = caller(keys, attempt);
        List<ChatMessage> history = new ArrayList<>(List.of(user("fix it")));
        assertThat(keys.admit(caller, "paid", request(history))).isInstanceOf(Admission.Allowed.class);
        // The same request again (the next model of a chain) and a side call without tools count for nothing.
        assertThat(keys.admit(caller, "free", request(history))).isInstanceOf(Admission.Allowed.class);
        assertThat(keys.admit(caller, "paid", ChatRequest.of(user("title?")))).isInstanceOf(Admission.Allowed.class);
        for (int i = 1; i <= 2; i++) {
            history.add(new ChatMessage.Assistant("thinking " + i));
            history.add(user("fix it"));
            assertThat(keys.admit(caller, "paid", request(history))).as("request %d without progress", i).isInstanceOf(Admission.Allowed.class);
        }
        history.add(new ChatMessage.Assistant("thinking 3"));
        history.add(user("fix it"));
        assertThat(keys.admit(caller, "paid", request(history)))
                .isInstanceOfSatisfying(Admission.Refused.class, r -> assertThat(r.message()).contains("3 requests in a row"));
    }

    @Test
    void newToolResultsAreProgress() {
        AttemptKeys keys = keys(Budget.DEFAULT, new RunawayLimits(0, 2));
        Attempt attempt = keys.issue(CONTEXT, r -> { });
        Caller caller = caller(keys, attempt);
        List<ChatMessage> history = new ArrayList<>(List.of(user("go")));
        for (int i = 1; i <= 6; i++) {
            history.add(new ChatMessage.Assistant("", List.of(new ToolCall("c" + i, "Read", "{\"n\":" + i + "}"))));
            history.add(new ChatMessage.ToolResult("c" + i, "Read", "content " + i, false));
            assertThat(keys.admit(caller, "paid", request(history))).isInstanceOf(Admission.Allowed.class);
        }
        assertThat(ConversationSummary.of(attempt.conversation())).contains("1. Read {\"n\":1} → content 1", "6. Read");
    }

    private Caller caller(AttemptKeys keys, Attempt attempt) {
        return ((Admission.Allowed) keys.authenticate(Optional.of(attempt.secret())).orElseThrow()).caller();
    }

    private void settle(AttemptKeys keys, Caller caller, double usd) {
        CallRecord row = record(caller.context(), usd);
        ledger.add(row);
        keys.settle(caller, row);
    }

    private static CallRecord record(CallContext context, double usd) {
        return new CallRecord(Instant.now(), context, "p", "paid", true, new Usage(10, 10, 0), usd, Duration.ofMillis(5), null,
                CallRecord.Outcome.OK, "", "");
    }

    private static ChatMessage user(String text) {
        return new ChatMessage.User(text);
    }

    private static ChatRequest request(ChatMessage... messages) {
        return request(List.of(messages));
    }

    private static ChatRequest request(List<ChatMessage> messages) {
        return ChatRequest.of(List.copyOf(messages)).withTools(List.of(WRITE)).withContext(CONTEXT);
    }
}
