package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

class BudgetTest {
    private final Budget budget = new Budget(OptionalDouble.of(50), OptionalDouble.of(5), OptionalDouble.of(1), 0.8, OptionalDouble.empty());

    @Test
    void aCallThatCouldCrossAHardLimitIsDeniedNamingTheLimit() {
        BudgetCheck check = BudgetCheck.check(budget, new Spent(48.10, 0.5, 0), 2.40);
        assertThat(check.allowed()).isFalse();
        assertThat(check.verdict()).isEqualTo(BudgetCheck.Verdict.DENY);
        assertThat(check.messages()).containsExactly("daily budget: $48.10 spent + $2.40 worst case > $50.00 limit",
                "task budget: $0.00 spent + $2.40 worst case > $1.00 limit");
    }

    @Test
    void warnsAtEightyPercentAndAllowsBelow() {
        BudgetCheck warn = BudgetCheck.check(budget, new Spent(10, 3.9, 0), 0.1);
        assertThat(warn.verdict()).isEqualTo(BudgetCheck.Verdict.WARN);
        assertThat(warn.allowed()).isTrue();
        assertThat(warn.messages()).containsExactly("run budget: $3.90 spent + $0.10 worst case = 80% of the $5.00 limit");
        assertThat(BudgetCheck.check(budget, new Spent(10, 3.0, 0.1), 0.1).verdict()).isEqualTo(BudgetCheck.Verdict.ALLOW);
        // exactly at the limit is allowed (crossing it is not)
        assertThat(BudgetCheck.check(budget, new Spent(0, 0, 0.5), 0.5).verdict()).isEqualTo(BudgetCheck.Verdict.WARN);
    }

    @Test
    void leftIsTheTightestLimit() {
        assertThat(budget.left(new Spent(10, 4.5, 0.2))).hasValue(0.5);
        assertThat(Budget.DEFAULT.left(new Spent(60, 0, 0))).hasValue(0.0);
        assertThat(new Budget(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), 0.8, OptionalDouble.empty())
                .left(Spent.NOTHING)).isEmpty();
    }

    @Test
    void loadsFromTheSectionWithTheDailyDefaultAndRemovableLimits() {
        YAMLMapper yaml = YAMLMapper.builder().build();
        assertThat(Budget.load(yaml.readTree("{}"))).isEqualTo(Budget.DEFAULT);
        assertThat(Budget.DEFAULT.dailyUsd()).hasValue(50);
        Budget b = Budget.load(yaml.readTree("task_usd: 0.5\nwarn_at: 0.9\napprove_above_usd: 2\n"));
        assertThat(b).isEqualTo(new Budget(OptionalDouble.of(50), OptionalDouble.empty(), OptionalDouble.of(0.5), 0.9, OptionalDouble.of(2)));
        assertThat(Budget.load(yaml.readTree("daily_usd: null")).dailyUsd()).isEmpty();
        assertThatThrownBy(() -> Budget.load(yaml.readTree("daily_usd: lots\nwarn_at: 1.5\nmonthly_usd: 3\n")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::key)
                        .containsExactlyInAnyOrder("budget.daily_usd", "budget.warn_at", "budget.monthly_usd"));
    }
}
