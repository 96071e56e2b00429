package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.routing.Evidence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutcomeLogTest {
    private static final Instant DAY1 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir Path repo;

    private static Outcome outcome(Instant at, String model, TaskKind kind, boolean passed, double cost, long ms) {
        return new Outcome(at, "run-1", "task", model, "codex", kind, "in=1200 out=300 kw=test", passed, cost, Duration.ofMillis(ms));
    }

    @Test
    void outcomesAreSummedPerModelAndKindForTheRouter() {
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            OutcomeLog log = new OutcomeLog(store);
            log.record(outcome(DAY1, "gpt-5-mini", TaskKind.CODING, true, 0.02, 1000));
            log.record(outcome(DAY1, "gpt-5-mini", TaskKind.CODING, false, 0.04, 3000));
            log.record(outcome(DAY2, "gpt-5-mini", TaskKind.CODING, true, 0.06, 2000));
            log.record(outcome(DAY2, "gpt-5-mini", TaskKind.REVIEW, false, 0.01, 500));
            log.record(outcome(DAY2, "claude-opus-4-5", TaskKind.CODING, true, 0.50, 9000));

            var rows = log.summarize(Optional.empty());
            assertThat(rows).hasSize(3);
            OutcomeLog.Summary first = rows.getFirst();
            assertThat(first.model()).isEqualTo("gpt-5-mini");
            assertThat(first.kind()).isEqualTo(TaskKind.CODING);
            assertThat(first.passes()).isEqualTo(2);
            assertThat(first.fails()).isEqualTo(1);
            assertThat(first.successRate()).isCloseTo(2 / 3.0, within(1e-9));
            assertThat(first.meanCostUsd()).isCloseTo(0.04, within(1e-9));
            assertThat(first.meanDurationMs()).isCloseTo(2000, within(1e-9));

            Map<String, Map<TaskKind, Evidence>> evidence = new StoreEvidence(store).evidence();
            assertThat(evidence.get("gpt-5-mini").get(TaskKind.CODING)).isEqualTo(new Evidence(2, 1, 0.04, 2.0));
            assertThat(evidence.get("gpt-5-mini").get(TaskKind.REVIEW).failures()).isEqualTo(1);
            assertThat(evidence.get("claude-opus-4-5").get(TaskKind.CODING).successes()).isEqualTo(1);
            assertThat(evidence.get("claude-opus-4-5")).doesNotContainKey(TaskKind.REVIEW);

            // Only what was recorded since the second day.
            Map<String, Map<TaskKind, Evidence>> recent = new StoreEvidence(log, Optional.of(DAY2)).evidence();
            assertThat(recent.get("gpt-5-mini").get(TaskKind.CODING)).isEqualTo(new Evidence(1, 0, 0.06, 2.0));
        }
    }

    @Test
    void anEmptyStoreGivesNoEvidenceAndFeaturesAreRedacted() {
        String secret = "sk-outcome-" + "x".repeat(24);
        Redactor.global().register(secret);
        try (Store store = Store.open(StoreSettings.DEFAULT, repo, ref -> null)) {
            assertThat(new StoreEvidence(store).evidence()).isEmpty();
            OutcomeLog log = new OutcomeLog(store);
            log.record(new Outcome(DAY1, null, null, "gpt-5-mini", null, TaskKind.SEARCH, "key " + secret, false, 0, Duration.ZERO));
            String features = store.jdbi().withHandle(h -> h.createQuery("SELECT features FROM outcomes").mapTo(String.class).one());
            assertThat(features).doesNotContain(secret).startsWith("key ");
            String verdict = store.jdbi().withHandle(h -> h.createQuery("SELECT verdict FROM outcomes").mapTo(String.class).one());
            assertThat(verdict).isEqualTo("fail");
        }
    }
}
