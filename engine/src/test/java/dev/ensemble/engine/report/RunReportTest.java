package dev.ensemble.engine.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Usage;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.core.plan.SpecFile;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Report totals against the ledger rows of the run, the markdown's content, the JSON round trip. */
class RunReportTest {
    static final Instant AT = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir Path repo;
    Store store;

    @AfterEach
    void tearDown() {
        if (store != null) store.close();
    }

    static ModelSpec model(String id, double in, double out, boolean local, double planning) {
        return new ModelSpec(id, local ? "ollama" : "cloud", id, "test", new Pricing(in, out, in / 10, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, local, true, Map.of(TaskKind.PLANNING, new Capability(planning, "test")));
    }

    static Plan plan() {
        return new Plan("add a greeting", List.of(new SpecFile("specs/greet.md", "# Greeting")), List.of(
                new PlanTask("tests", "Write the tests", TaskKind.CODING, "implementer", Optional.empty(), Optional.empty(),
                        List.of("tests/**"), List.of(), "tests exist", false, "write tests"),
                new PlanTask("impl", "Implement greet", TaskKind.CODING, "implementer", Optional.of("builtin"), Optional.empty(),
                        List.of("src/greet.js"), List.of("tests"), "tests pass", true, "implement")));
    }

    static CallRecord call(String run, String task, String model, long in, long out, double cost) {
        return new CallRecord(AT, new CallContext("go", run, task, "implementer", 1, 0), "cloud", model, false,
                new Usage(in, out, 0), cost, Duration.ofMillis(100), Duration.ofMillis(100), CallRecord.Outcome.OK, "", "");
    }

    RunReport report(Ledger ledger, Catalog catalog) {
        List<TaskLine> tasks = List.of(
                new TaskLine("tests", "Write the tests", TaskLine.Status.PASSED, "builtin", "cheap", 1, "PASS: specs, tests passed",
                        List.of("tests/greet.test.js"), 1000, 200, 0.0014, Duration.ofSeconds(3), ""),
                new TaskLine("impl", "Implement greet", TaskLine.Status.FAILED, "claude", "premium", 2, "FAIL: tests — exit 1",
                        List.of("src/greet.js"), 3000, 900, 0.2, Duration.ofSeconds(61), "tests: `npm test` failed | exit code 1"));
        return RunReport.build("run-42", AT, Duration.ofSeconds(75), plan(), tasks, ledger, catalog);
    }

    @Test
    void totalsEqualTheLedgerRowsOfTheRun() {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Ledger ledger = new Ledger(store);
        ledger.onCall(call("run-42", "", "premium", 2000, 500, 0.0175));        // the planner
        ledger.onCall(call("run-42", "tests", "cheap", 1000, 200, 0.0014));
        ledger.onCall(call("run-42", "impl", "premium", 3000, 900, 0.0285));
        ledger.onCall(call("run-42", "impl", "local", 4000, 800, 0));
        ledger.onCall(call("other-run", "impl", "premium", 9999, 9999, 5.0));  // not this run's
        Catalog catalog = new Catalog(Map.of(), Map.of("premium", model("premium", 5, 15, false, 0.95),
                "cheap", model("cheap", 0.5, 1.5, false, 0.6), "local", model("local", 0, 0, true, 0.5)), Map.of());

        RunReport report = report(ledger, catalog);
        double ledgerCost = ledger.costOfRun("run-42");
        assertThat(report.costUsd()).isCloseTo(ledgerCost, within(1e-12)).isCloseTo(0.0474, within(1e-9));
        assertThat(report.calls()).isEqualTo(4);
        assertThat(report.inputTokens()).isEqualTo(10_000);
        assertThat(report.outputTokens()).isEqualTo(2_400);
        assertThat(report.models()).extracting(ModelCost::model).containsExactly("premium", "cheap", "local");
        assertThat(report.models().stream().mapToDouble(ModelCost::costUsd).sum()).isCloseTo(ledgerCost, within(1e-12));
        assertThat(report.models().getFirst().calls()).isEqualTo(2);

        // Every token at the premium planner's prices: 10,000 in at $5/M + 2,400 out at $15/M.
        Saving saving = report.saving().orElseThrow();
        assertThat(saving.baselineModel()).isEqualTo("premium");
        assertThat(saving.baselineUsd()).isCloseTo(0.05 + 0.036, within(1e-9));
        assertThat(saving.actualUsd()).isEqualTo(report.costUsd());
        assertThat(saving.percent()).isCloseTo(100 * (0.086 - 0.0474) / 0.086, within(1e-9));
        assertThat(report.passed()).isEqualTo(1);
        assertThat(report.failures()).extracting(TaskLine::id).containsExactly("impl");

        // The figures written are the ledger's
        ReportWriter writer = ReportWriter.forRepository(repo);
        writer.write(report);
        RunReport back = writer.read("run-42").orElseThrow();
        assertThat(back.costUsd()).isCloseTo(ledgerCost, within(1e-12));
        assertThat(back.calls()).isEqualTo(ledger.runByModel("run-42").stream().mapToLong(r -> r.calls()).sum());
    }

    @Test
    void markdownHasTheSummaryEachTaskTheSavingAndTheFailures() throws Exception {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Ledger ledger = new Ledger(store);
        ledger.onCall(call("run-42", "impl", "cheap", 1_000_000, 0, 0.5));
        Catalog catalog = new Catalog(Map.of(), Map.of("premium", model("premium", 5, 15, false, 0.95),
                "cheap", model("cheap", 0.5, 1.5, false, 0.6)), Map.of());
        RunReport report = report(ledger, catalog);
        Path md = ReportWriter.forRepository(repo).write(report);
        assertThat(md).isEqualTo(repo.resolve(".ensemble/reports/run-42.md"));
        String text = Files.readString(md);
        assertThat(text).contains("# ensemble run run-42", "> add a greeting", "1 passed, 1 failed", "$0.5000",
                "Saving versus all-premium (premium, $5.0000): 90.0%", "Duration: 1 min 15 s",
                "| tests | Write the tests | passed | builtin | cheap | 1 |", "| impl | Implement greet | failed | claude | premium | 2 |",
                "## Cost per model", "| cheap | 1 | 0 | 1000000 | 0 | $0.5000 |", "### impl (failed)",
                "tests: `npm test` failed | exit code 1");
        assertThat(text.indexOf("## Summary")).isLessThan(text.indexOf("## Tasks"));
        try (var files = Files.list(repo.resolve(".ensemble/reports"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("run-42.json", "run-42.md");
        }
    }

    @Test
    void jsonRoundTrips() {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Ledger ledger = new Ledger(store);
        ledger.onCall(call("run-42", "impl", "cheap", 1234, 567, 0.0123));
        RunReport report = report(ledger, new Catalog(Map.of(), Map.of("cheap", model("cheap", 0.5, 1.5, false, 0.6)), Map.of()));
        RunReport back = ReportJson.read(ReportJson.write(report));
        assertThat(back).isEqualTo(report);
        // A catalog without a planning-capable cloud model has no baseline, so no saving
        RunReport none = report(ledger, new Catalog(Map.of(), Map.of(), Map.of()));
        assertThat(none.saving()).isEmpty();
        assertThat(ReportJson.read(ReportJson.write(none))).isEqualTo(none);
        assertThat(ReportMarkdown.render(none)).contains("no premium model in the catalog");
    }

    @Test
    void anEmptyLedgerIsZeroAndTheListIsNewestFirst() {
        store = Store.open(StoreSettings.DEFAULT, repo, ref -> null);
        Ledger ledger = new Ledger(store);
        Catalog catalog = new Catalog(Map.of(), Map.of(), Map.of());
        RunReport older = report(ledger, catalog);
        assertThat(older.costUsd()).isZero();
        assertThat(older.models()).isEmpty();
        RunReport newer = RunReport.build("run-43", AT.plusSeconds(60), Duration.ZERO, plan(), List.of(), ledger, catalog);
        ReportWriter writer = ReportWriter.forRepository(repo);
        writer.write(older);
        writer.write(newer);
        assertThat(writer.list()).extracting(RunReport::runId).containsExactly("run-43", "run-42");
        assertThat(writer.read("run-99")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.read("../secrets")).isInstanceOf(IllegalArgumentException.class);
    }
}
