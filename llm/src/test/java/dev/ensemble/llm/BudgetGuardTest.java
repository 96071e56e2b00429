package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.llm.Fixtures.FakeModel;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BudgetGuardTest {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ChatRequest request = ChatRequest.of(ChatMessage.user("hello")).withContext(CallContext.of("test"));

    private static Budget daily(double usd) {
        return new Budget(OptionalDouble.of(usd), OptionalDouble.empty(), OptionalDouble.empty(), 0.8, OptionalDouble.empty());
    }

    private BudgetGuard guard(Budget budget, SpendSource spend) {
        return new BudgetGuard(budget, spend, warnings::add);
    }

    @Test
    void theWorstCaseIsTheInputEstimatePlusTheOutputCapAtCatalogPrices() {
        ModelSpec spec = new FakeModel("m").spec();  // $1 in / $2 out per Mtok, max output 4096
        long in = TokenEstimator.estimate(request);
        assertThat(BudgetGuard.worstCaseUsd(spec, request)).isEqualTo((in * 1.0 + 4096 * 2.0) / 1e6);
        assertThat(BudgetGuard.worstCaseUsd(spec, request.withMaxOutputTokens(100))).isEqualTo((in * 1.0 + 100 * 2.0) / 1e6);
    }

    @Test
    void aCallThatCouldCrossTheLimitNeverReachesTheModel() {
        FakeModel model = new FakeModel("m", "answer");
        BudgetedChatModel budgeted = new BudgetedChatModel(model, guard(daily(1.0), c -> new Spent(0.995, 0, 0)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> budgeted.chat(request));
        assertThat(e.kind()).isEqualTo(ModelException.Kind.BUDGET);
        assertThat(e.getMessage()).startsWith("daily budget $1.00: spent $1.00, this call to m could cost up to $0.008")
                .contains("not sent", "raise budget.daily_usd or use a cheaper or local model");
        assertThat(model.requests).isEmpty();
        // A smaller output cap fits under the same limit.
        assertThat(budgeted.chat(request.withMaxOutputTokens(100)).text()).isEqualTo("answer");
    }

    @Test
    void evaluateGivesTheRefusalAsAValueNamingTheLimitAndWhatIsLeft() {
        BudgetGuard guard = guard(daily(1.0), c -> new Spent(0.995, 0, 0));
        ModelSpec spec = new FakeModel("m").spec();
        BudgetGuard.Denial denial = guard.evaluate(spec, request).orElseThrow();
        assertThat(denial.limit()).isEqualTo("daily");
        assertThat(denial.setting()).isEqualTo("daily_usd");
        assertThat(denial.limitUsd()).isEqualTo(1.0);
        assertThat(denial.spentUsd()).isEqualTo(0.995);
        assertThat(denial.leftUsd()).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(denial.worstCaseUsd()).isEqualTo(BudgetGuard.worstCaseUsd(spec, request));
        assertThat(denial.message()).startsWith("daily budget $1.00: spent $1.00, this call to m could cost up to");
        assertThat(guard.evaluate(spec, request.withMaxOutputTokens(100))).isEmpty();
    }

    @Test
    void runAndTaskLimitsUseTheCallsContext() {
        Budget budget = new Budget(OptionalDouble.empty(), OptionalDouble.of(0.01), OptionalDouble.empty(), 0.8, OptionalDouble.empty());
        SpendSource spend = c -> new Spent(0, c.runId().equals("r1") ? 0.009 : 0, 0);
        BudgetedChatModel budgeted = new BudgetedChatModel(new FakeModel("m", "ok"), guard(budget, spend));
        assertThat(budgeted.chat(request.withContext(CallContext.of("go").withRun("r2", "t1"))).text()).isEqualTo("ok");
        ModelException e = catchThrowableOfType(ModelException.class,
                () -> budgeted.chat(request.withContext(CallContext.of("go").withRun("r1", "t1"))));
        assertThat(e.getMessage()).startsWith("run budget $0.01: spent $0.009,").contains("budget.run_usd");
    }

    @Test
    void pastTheWarningFractionTheCallGoesThroughWithOneWarningOnly() {
        FakeModel model = new FakeModel("m", "ok");
        BudgetedChatModel budgeted = new BudgetedChatModel(model, guard(daily(1.0), c -> new Spent(0.85, 0, 0)));
        budgeted.chat(request);
        budgeted.chat(request);
        assertThat(model.requests).hasSize(2);
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).startsWith("budget warning: daily budget:").contains("% of the $1.00 limit"));
    }

    @Test
    void aFreeModelIsAlwaysAllowedEvenPastTheLimit() {
        ModelSpec free = new ModelSpec("local", "ollama", "local", "test", new Pricing(0, 0, 0, "test", LocalDate.of(2026, 11, 1)),
                8192, 1024, 100, true, true, Map.of());
        ChatModel inner = new ChatModel() {
            @Override public ModelSpec spec() { return free; }

            @Override public ChatResponse chat(ChatRequest r, StreamListener l) {
                return new ChatResponse("free", List.of(), FinishReason.STOP, dev.ensemble.core.Usage.ZERO, "local",
                        java.time.Duration.ZERO, null, List.of());
            }
        };
        BudgetedChatModel budgeted = new BudgetedChatModel(inner, guard(daily(1.0), c -> new Spent(5, 0, 0)));
        assertThat(budgeted.chat(request).text()).isEqualTo("free");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aRefusalStopsAFallbackChain() {
        BudgetGuard guard = guard(daily(0.000001), SpendSource.NOTHING);
        FakeModel first = new FakeModel("first", "a");
        FakeModel second = new FakeModel("second", "b");
        FallbackChatModel chain = new FallbackChatModel(List.of(new BudgetedChatModel(first, guard), new BudgetedChatModel(second, guard)));
        ModelException e = catchThrowableOfType(ModelException.class, () -> chain.chat(request));
        assertThat(e.kind()).isEqualTo(ModelException.Kind.BUDGET);
        assertThat(first.requests).isEmpty();
        assertThat(second.requests).isEmpty();
    }
}
