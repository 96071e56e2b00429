package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A CLI agent's cost is the tokens it reports at the catalog's prices for the model it was given:
 * Claude Code's own total_cost_usd (from its own price table, which prices a gateway's or a
 * self-hosted model as whatever it thinks the name costs) is shown beside it and never reaches the
 * ledger, budgets or reports.
 */
class AgentCostFromCatalogTest {
    /** Claude Code's stream-json, as recorded from 2.1.x: it writes hello.txt, then reports $0.50 for 100k in / 20k out. */
    private static final String FAKE_CLAUDE = """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi
            echo hi > hello.txt
            echo '{"type":"system","subtype":"init","session_id":"sess-1","model":"gw-model"}'
            echo '{"type":"assistant","session_id":"sess-1","message":{"content":[{"type":"text","text":"Done: hello.txt is written."}]}}'
            echo '{"type":"result","subtype":"success","is_error":false,"result":"Done: hello.txt is written.","session_id":"sess-1","total_cost_usd":0.5,"usage":{"input_tokens":100000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20000},"modelUsage":{"gw-model":{"inputTokens":100000,"outputTokens":20000,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"costUSD":0.5}}}'
            """;

    @TempDir Path dir;

    @ParameterizedTest(name = "catalog ${0} in / ${1} out per Mtok")
    @CsvSource({"1, 1, 0.12", "0, 0, 0"})
    void theLedgerChargesTheCatalogPriceTimesTheReportedTokensNotTheClisOwnFigure(double in, double out, double expected)
            throws Exception {
        CliHarness cli = new CliHarness(dir);
        Path fake = dir.resolve("bin/claude");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, FAKE_CLAUDE);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        cli.cliSettings = CliSettings.defaults().withBinary("claude", fake).withHomeRoot(dir.resolve("homes"))
                .withCacheDir(dir.resolve("no-cache")).withVersionTimeout(Duration.ofSeconds(20));
        cli.repoConfig("""
                default_model: gw-model
                gateway: { agents: false }   # the CLI calls its provider itself: the end-of-run account is all there is
                providers:
                  gateway: { wire: anthropic, base_url: "http://127.0.0.1:9" }
                models:
                  gw-model: { provider: gateway, wire_name: gw-model, family: test, context_window: 200000, max_output: 8192,
                    tokens_per_second: 50, tools: true,
                    pricing: { input: %s, output: %s, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 8, benchmark: test } } }
                """.formatted(in, out));

        CliHarness.Run run = cli.run("exec", "--agent", "claude", "--json", "write hello.txt");
        assertThat(run.exitCode()).as(run.all()).isZero();
        JsonNode result = HttpTransport.JSON.readTree(run.out());
        assertThat(result.path("cost_usd").asDouble()).isCloseTo(expected, Offset.offset(1e-12));
        assertThat(result.path("agent_reported_cost_usd").asDouble()).as("shown beside it").isEqualTo(0.5);

        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            double charged = store.jdbi().withHandle(h -> h.createQuery("SELECT SUM(cost_usd) FROM model_calls WHERE command = 'exec:claude'")
                    .mapTo(Double.class).one());
            long tokens = store.jdbi().withHandle(h -> h.createQuery("SELECT SUM(input_tokens + output_tokens) FROM model_calls")
                    .mapTo(Long.class).one());
            assertThat(charged).as("the ledger's row").isCloseTo(expected, Offset.offset(1e-12));
            assertThat(tokens).isEqualTo(120_000);
        }
        CliHarness.Run text = cli.run("usage", "--json", "--by", "model");
        assertThat(HttpTransport.JSON.readTree(text.out()).path("rows").get(0).path("cost_usd").asDouble())
                .isCloseTo(expected, Offset.offset(1e-12));
    }
}
