package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import dev.ensemble.testkit.ScriptedModelServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code gateway: { url: … }}: {@code exec} uses a running {@code ensemble gateway} (another
 * process, another repository's store) instead of starting one. The agent's key is minted there
 * with ENSEMBLE_TOKEN, every request is a row of the run's own ledger with the attempt's
 * attribution, and a gateway that cannot be used stops the command before anything is dispatched.
 */
class GatewayUrlTest {
    private static final String TOKEN = "operator-token-url-5b2e90";

    @TempDir Path dir;
    /** Its fake Claude Code, configuration and store reader, on this test's folder. */
    private final AgentsThroughGatewayTest agents = new AgentsThroughGatewayTest();
    private CliHarness cli;
    private ScriptedModelServer server;

    @BeforeEach
    void setUp() throws Exception {
        agents.dir = dir;
        agents.setUp();
        cli = agents.cli;
        server = agents.server;
    }

    @AfterEach
    void tearDown() {
        agents.tearDown();
    }

    private String fakeClaude(int requests, boolean sameCall, int pauseMs) {
        return agents.fakeClaude(requests, sameCall, pauseMs);
    }

    private void install(String script) throws Exception {
        agents.install(script);
    }

    private void config(String extra) throws Exception {
        agents.config(extra);
    }

    private List<Map<String, Object>> rows(String sql) {
        return agents.rows(sql);
    }

    @Test
    void execUsesTheRunningGatewayAndItsRowsLandInTheRunsLedger() throws Exception {
        install(fakeClaude(3, false, 0));
        config("");
        String shared = Files.readString(cli.repo.resolve("ensemble.yaml"));
        Path gatewayRepo = dir.resolve("gateway-repo");
        Files.createDirectories(gatewayRepo);
        Files.writeString(gatewayRepo.resolve("ensemble.yaml"), shared);
        Process gateway = gateway(gatewayRepo);
        try {
            String first = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("the gateway's first line").isNotNull().startsWith("{");
            String url = HttpTransport.JSON.readTree(first).path("url").asString();
            config("gateway: { url: \"" + url + "\" }\n");

            CliHarness.Run run = cli.run(Map.of("ENSEMBLE_TOKEN", TOKEN), "exec", "--agent", "claude", "--json", "write hello.txt");
            assertThat(run.exitCode()).as(run.all()).isZero();
            assertThat(run.err()).doesNotContain(TOKEN).doesNotContain("ens-att-");
            JsonNode result = HttpTransport.JSON.readTree(run.out());
            String runId = result.path("run").asString();

            assertThat(server.modelCalls()).hasSize(3);
            List<Map<String, Object>> rows = rows("SELECT command, run_id, task_id, cost_usd FROM model_calls ORDER BY id");
            assertThat(rows).as("the run's own store").hasSize(3).allSatisfy(row -> {
                assertThat(row.get("command")).isEqualTo("exec:claude");
                assertThat(row.get("run_id")).isEqualTo(runId);
                assertThat(row.get("task_id")).isEqualTo("task");
            });
            double sum = rows.stream().mapToDouble(r -> ((Number) r.get("cost_usd")).doubleValue()).sum();
            assertThat(result.path("cost_usd").asDouble()).isCloseTo(sum, Offset.offset(1e-9));
            assertThat(run.err().lines().filter(line -> line.contains("call paid ")).count()).as("live, as in-process").isEqualTo(3);
        } finally {
            gateway.destroyForcibly();
        }
    }

    @Test
    void aGatewayUrlThatCannotBeUsedIsExit2BeforeAnythingIsDispatched() throws Exception {
        install(fakeClaude(3, false, 0));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        config("gateway: { url: \"http://127.0.0.1:" + port + "\" }\n");
        CliHarness.Run noToken = cli.run("exec", "--agent", "claude", "write hello.txt");
        assertThat(noToken.exitCode()).as(noToken.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noToken.err()).contains("ENSEMBLE_TOKEN is not set");

        CliHarness.Run nobody = cli.run(Map.of("ENSEMBLE_TOKEN", TOKEN), "exec", "--agent", "claude", "write hello.txt");
        assertThat(nobody.exitCode()).as(nobody.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(nobody.err()).contains("does not answer").doesNotContain(TOKEN);
        assertThat(server.modelCalls()).isEmpty();
        assertThat(dir.resolve("progress")).as("the agent never started").doesNotExist();
    }

    private Process gateway(Path repo) throws Exception {
        Path home = dir.resolve("gateway-home");
        Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "gateway", "--port", "0", "--json"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile())
                .redirectError(dir.resolve("gateway.err").toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", home.toString(),
                "XDG_CONFIG_HOME", home.resolve(".config").toString(), "XDG_CACHE_HOME", home.resolve(".cache").toString(),
                "XDG_DATA_HOME", home.resolve(".local/share").toString(), "OLLAMA_HOST", "http://127.0.0.1:9",
                "ENSEMBLE_TOKEN", TOKEN));
        return builder.start();
    }
}
