package dev.ensemble.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.gateway.Admission;
import dev.ensemble.gateway.Caller;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.SpendSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BudgetGatekeeperTest {
    private static final ChatRequest REQUEST = ChatRequest.of(ChatMessage.user("write the tests"));
    private static final Caller OPERATOR = new Caller(Caller.Kind.OPERATOR, "", "", CallContext.NONE);
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private BudgetGatekeeper gatekeeper(Budget budget, SpendSource spend) {
        return new BudgetGatekeeper(new BudgetGuard(budget, spend, warnings::add), TestCatalog.CATALOG);
    }

    private static Budget budget(Double daily, Double run, Double task) {
        return new Budget(optional(daily), optional(run), optional(task), 0.8, OptionalDouble.empty());
    }

    private static OptionalDouble optional(Double v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    @Test
    void aCallThatCouldCrossTheDailyBudgetIsRefusedSayingWhichAndWhatIsLeft() {
        BudgetGatekeeper keeper = gatekeeper(budget(50.0, null, null), context -> new Spent(49.97, 0, 0));
        Admission.Refused refusal = (Admission.Refused) keeper.admit(OPERATOR, "pricey", REQUEST);
        assertThat(refusal.httpStatus()).isEqualTo(429);
        assertThat(refusal.reason()).isEqualTo("daily budget");
        assertThat(refusal.message()).startsWith("daily budget: $0.03 left of $50.00; this call to pricey could cost up to $0.10")
                .endsWith("— not sent; raise budget.daily_usd or use a cheaper or local model");
        assertThat(keeper.admit(OPERATOR, "cheap", REQUEST)).isInstanceOf(Admission.Allowed.class);
        assertThat(keeper.admit(OPERATOR, "local", REQUEST)).as("a free model cannot cross a budget").isInstanceOf(Admission.Allowed.class);
        assertThat(keeper.authenticate(Optional.of("anything"))).isEmpty();
    }

    @Test
    void theTaskBudgetIsTheCallersTaskNotTheRequestsOwnContext() {
        SpendSource spend = context -> new Spent(0, 0, context.taskId().equals("t1") ? 0.95 : 0);
        BudgetGatekeeper keeper = gatekeeper(budget(50.0, null, 1.0), spend);
        Caller attempt = new Caller(Caller.Kind.ATTEMPT, "key-attempt1", "t1#1", CallContext.of("exec").withRun("r1", "t1"));
        Admission.Refused refusal = (Admission.Refused) keeper.admit(attempt, "pricey", REQUEST);
        assertThat(refusal.reason()).isEqualTo("task budget");
        assertThat(refusal.message()).startsWith("task budget: $0.05 left of $1.00; this call to pricey").contains("budget.task_usd");
        Caller otherTask = new Caller(Caller.Kind.ATTEMPT, "key-attempt2", "t2#1", CallContext.of("exec").withRun("r1", "t2"));
        assertThat(keeper.admit(otherTask, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
    }

    @Test
    void anAdmittedCallsWorstCaseCountsUntilItsStepIsReleased() {
        BudgetGatekeeper keeper = gatekeeper(budget(1.0, null, null), context -> new Spent(0.75, 0, 0));
        Admission first = keeper.admit(OPERATOR, "pricey", REQUEST);  // worst case ~$0.10: held
        assertThat(first).isInstanceOf(Admission.Allowed.class);
        assertThat(keeper.admit(OPERATOR, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
        assertThat(keeper.admit(OPERATOR, "pricey", REQUEST)).as("$0.75 spent and $0.20 held").isInstanceOf(Admission.Refused.class);
        ((Admission.Allowed) first).release().run();
        ((Admission.Allowed) first).release().run();  // given back once, however often it is run
        assertThat(keeper.admit(OPERATOR, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
        assertThat(keeper.admit(OPERATOR, "pricey", REQUEST)).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void reachingTheWarningFractionLetsTheCallThroughWithOneWarning() {
        BudgetGatekeeper keeper = gatekeeper(budget(1.0, null, null), context -> new Spent(0.85, 0, 0));
        Admission first = keeper.admit(OPERATOR, "pricey", REQUEST);
        assertThat(first).isInstanceOf(Admission.Allowed.class);
        ((Admission.Allowed) first).release().run();  // the first call's step is over
        assertThat(keeper.admit(OPERATOR, "pricey", REQUEST)).isInstanceOf(Admission.Allowed.class);
        assertThat(warnings).hasSize(1).first().asString().startsWith("budget warning: daily budget");
    }
}
