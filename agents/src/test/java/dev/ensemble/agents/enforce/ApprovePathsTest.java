package dev.ensemble.agents.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.plan.PlanTask;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** policy.approve_paths: which tasks own a flagged path, read both ways between owned globs and approve globs. */
class ApprovePathsTest {
    private static PlanTask owning(String id, String... files) {
        return new PlanTask(id, id, TaskKind.CODING, "coder", Optional.empty(), Optional.empty(), List.of(files), List.of(),
                "done", false, "do it");
    }

    @Test
    void aTaskOwningAMatchingPathOrAGlobOverOneIsFlaggedWithThosePaths() {
        ApprovePaths approve = ApprovePaths.of(List.of("db/migrations/**", "src/auth/keys.py"));
        Map<String, List<String>> flagged = approve.flagged(List.of(
                owning("migration", "db/migrations/V2__add.sql", "src/model.py"),
                owning("all-migrations", "db/migrations/*.sql"),
                owning("whole-src", "src/**"),
                owning("auth-folder", "src/auth"),
                owning("docs", "docs/**", "README.md"),
                owning("near-miss", "src/authz/keys.py", "db/migrationsX/V1.sql")));
        assertThat(flagged).containsExactly(
                Map.entry("migration", List.of("db/migrations/V2__add.sql")),
                Map.entry("all-migrations", List.of("db/migrations/*.sql")),
                Map.entry("whole-src", List.of("src/**")),
                Map.entry("auth-folder", List.of("src/auth")));
        assertThat(ApprovePaths.NONE.flagged(List.of(owning("any", "src/**")))).isEmpty();
    }

    @Test
    void theKeyIsPartOfThePolicySection() {
        assertThat(Policy.fromMap(Map.of("approve_paths", List.of("db/**")))).isEqualTo(Policy.DEFAULT);
    }
}
