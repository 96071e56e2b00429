package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code telemetry.otlp_endpoint}: checked with the rest of the configuration (a bad URL or a
 * destination not allowed names file, line and key and stops every command), and when set, every
 * model call of a command becomes a span at the collector. The allow-list is not taken from a
 * repository's ensemble.yaml.
 */
class TelemetryCliTest {
    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    HttpServer collector;
    final List<String> traces = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        cli = new CliHarness(dir);
        collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            traces.add(body.toString(StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void tearDown() {
        server.close();
        collector.stop(0);
    }

    private void userConfig(String telemetry) throws Exception {
        Files.writeString(cli.userConfig, """
                default_model: m1
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  m1: %s
                %s""".formatted(server.baseUrl(), CliHarness.scriptedModel("m1", "test", 5), telemetry));
    }

    @Test
    void everyModelCallOfACommandBecomesASpanAtTheConfiguredCollector() throws Exception {
        userConfig("telemetry:\n  otlp_endpoint: http://127.0.0.1:" + collector.getAddress().getPort() + "\n");

        CliHarness.Run run = cli.run("ask", "--no-stream", "hi");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(traces).as("spans are sent when the command ends").isNotEmpty();
        assertThat(String.join("", traces)).contains("gen_ai.request.model", "gen_ai.usage.output_tokens", "m1", "ensemble.command");
    }

    @Test
    void theProcesssMetricsShowItsModelCallsAndTheDaysBudgetLeft() throws Exception {
        userConfig("budget:\n  daily_usd: 7\n");
        java.io.PrintStream sink = new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Terminal terminal = new Terminal(sink, sink, false, new java.io.ByteArrayInputStream(new byte[0]), null);
        try (AppContext app = new AppContext(terminal, cli.repo, new dev.ensemble.core.config.ConfigLoader(cli.userConfig,
                cli.repo.resolve("ensemble.yaml"), java.util.Map.of()), java.util.Map.of())) {
            var metrics = app.metrics();
            app.models().model("m1").chat(dev.ensemble.llm.ChatRequest.of(dev.ensemble.llm.ChatMessage.user("hi")), null);

            String text = metrics.scrape();
            assertThat(text).contains("ensemble_model_calls_total{model=\"m1\",outcome=\"ok\",provider=\"scripted\"} 1.0")
                    .contains("ensemble_budget_left_usd{key=\"\",scope=\"day\"} 7.0");
        }
    }

    @Test
    void withoutAnEndpointNothingIsSent() throws Exception {
        userConfig("");

        assertThat(cli.run("ask", "--no-stream", "hi").exitCode()).isZero();
        assertThat(traces).isEmpty();
    }

    @Test
    void aBadUrlNamesFileLineAndKeyAndNothingRuns() throws Exception {
        userConfig("");
        cli.repoConfig("budget: { daily_usd: 5 }\ntelemetry:\n  otlp_endpoint: \"ftp//collector\"\n");

        for (String[] command : List.of(new String[] {"config", "check"}, new String[] {"ask", "hi"})) {
            CliHarness.Run run = cli.run(command);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).contains(cli.repo.resolve("ensemble.yaml") + ":3: telemetry.otlp_endpoint: expected an http:// "
                    + "or https:// URL with a host, such as http://127.0.0.1:4318, got \"ftp//collector\"");
        }
        assertThat(server.modelCalls()).isEmpty();
    }

    @Test
    void aRemoteCollectorMustBeOnTheAllowListOfTheUsersOwnFile() throws Exception {
        userConfig("");
        cli.repoConfig("telemetry:\n  otlp_endpoint: https://traces.example.net\n  allowed_destinations: [traces.example.net]\n");

        CliHarness.Run run = cli.run("config", "check");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        Path file = cli.repo.resolve("ensemble.yaml");
        assertThat(run.err()).contains(file + ":3: telemetry.allowed_destinations: is read only from your own config file")
                .contains(file + ":2: telemetry.otlp_endpoint: sends traces to traces.example.net:443, which is not on "
                        + "telemetry.allowed_destinations");

        // the same destination allowed by the user: the repository may then choose it
        userConfig("telemetry:\n  allowed_destinations: [\"traces.example.net:443\"]\n");
        cli.repoConfig("telemetry:\n  otlp_endpoint: https://traces.example.net\n");
        CliHarness.Run allowed = cli.run("config", "check");
        assertThat(allowed.exitCode()).as(allowed.all()).isZero();
    }

    @Test
    void aUrlWithAPasswordIsRefusedWithoutShowingIt() throws Exception {
        userConfig("telemetry:\n  otlp_endpoint: http://user:hunter2secret@127.0.0.1:4318\n");

        CliHarness.Run run = cli.run("config", "check");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(cli.userConfig + ":7: telemetry.otlp_endpoint: expected a URL without a user name or password")
                .doesNotContain("hunter2secret");
    }
}
