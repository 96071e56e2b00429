package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ensemble route`'s table of candidates speaks in chances, dollars and 0–10 quality, never the router's internal score. */
class RouteTableTest {
    @TempDir Path dir;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
    }

    private void models(String strategy) throws Exception {
        // A strong and a hopeless model on a provider nothing is sent to: route only ranks them.
        cli.repoConfig("""
                routing: { strategy: %s }
                providers:
                  house: { wire: openai-chat, base_url: "http://127.0.0.1:9/v1", local: true }
                models:
                  house-strong: %s
                  house-weak: %s
                """.formatted(strategy, model(9.5, 1.0, 5.0), model(1.0, 0.1, 0.4)));
    }

    private static String model(double coding, double in, double out) {
        return ("{ provider: house, wire_name: w, family: test, context_window: 200000, max_output: 32000, tokens_per_second: 80,"
                + " tools: true, pricing: { input: %s, output: %s, cached_input: 0, source: test, as_of: 2026-11-01 },"
                + " capabilities: { coding: { score: %s, benchmark: test } } }").formatted(in, out, coding);
    }

    private CliHarness.Run route() {
        return cli.run("route", "--kind", "coding", "--in", "10000", "--out", "2000",
                "refactor the distributed consensus module and fix its concurrency races");
    }

    @Test
    void expectedCostShowsTheChanceOfPassingAndTheExpectedCostOrUnderFloor() throws Exception {
        models("expected-cost");
        CliHarness.Run run = route();
        assertThat(run.exitCode()).as(run.all()).isZero();
        String header = run.out().lines().filter(l -> l.startsWith("#")).findFirst().orElseThrow();
        assertThat(header).contains("P(pass)", "a try", "expected").doesNotContain("score");
        String strong = run.out().lines().filter(l -> l.matches("1 +house-strong .*")).findFirst().orElseThrow();
        assertThat(strong).containsPattern("\\$0\\.\\d+ +\\$0\\.\\d+ +\\d+ s");
        String weak = run.out().lines().filter(l -> l.matches("2 +house-weak .*")).findFirst().orElseThrow();
        assertThat(weak).contains("under floor");
        // The router ranks a candidate under the pass floor at P(pass) − 1000: never shown.
        assertThat(run.out()).doesNotContainPattern("-9\\d\\d\\.");
    }

    @Test
    void qualityFirstShowsExpectedQualityOutOfTen() throws Exception {
        models("quality-first");
        CliHarness.Run run = route();
        assertThat(run.exitCode()).as(run.all()).isZero();
        String header = run.out().lines().filter(l -> l.startsWith("#")).findFirst().orElseThrow();
        assertThat(header).contains("quality", "cost").doesNotContain("score");
        assertThat(run.out().lines().filter(l -> l.matches("1 +house-strong .*")).findFirst().orElseThrow())
                .containsPattern(" 9\\.\\d/10 ");
        assertThat(run.out().lines().filter(l -> l.matches("2 +house-weak .*")).findFirst().orElseThrow())
                .containsPattern(" [0-2]\\.\\d/10 ");
    }
}
