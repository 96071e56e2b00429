package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code ensemble gateway}: its refusal to listen openly without a token, and a real run as a process. */
class GatewayCommandTest {
    @TempDir Path dir;

    @Test
    void aNonLoopbackBindWithoutATokenRefusesToStart() throws Exception {
        CliHarness cli = new CliHarness(dir);
        CliHarness.Run run = cli.run(Map.of("HOME", dir.resolve("home").toString()), "gateway", "--bind", "0.0.0.0", "--port", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("refusing to listen on 0.0.0.0 without ENSEMBLE_TOKEN or a virtual key");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void servesAClientUntilInterrupted() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("answer through the gateway"));
            cli.repoConfig("providers:\n  scripted: { wire: openai-chat, base_url: \"" + server.baseUrl() + "/v1\", local: true }\n"
                    + "models:\n  m1: " + CliHarness.scriptedModel("m1", "qwen", 6.0) + "\n");
            Path home = Files.createDirectories(dir.resolve("home"));
            // A JVM started from a background job inherits SIGINT ignored, and then never sees it: env puts
            // the default back, as a terminal's Ctrl-C finds it.
            List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", ProcessHandle.current().info().command().orElse("java"),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "gateway", "--port", "0", "--json"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(cli.repo.toFile()).redirectErrorStream(true);
            Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", home.toString(),
                    "XDG_CONFIG_HOME", home.resolve(".config").toString(), "XDG_CACHE_HOME", home.resolve(".cache").toString(),
                    "OLLAMA_HOST", "http://127.0.0.1:9"));
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine();
                assertThat(first).as("the gateway's first line").isNotNull().startsWith("{");
                JsonNode listening = HttpTransport.JSON.readTree(first);
                assertThat(listening.path("key_required").asBoolean()).isFalse();
                String url = listening.path("url").asString();

                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .timeout(Duration.ofSeconds(30)).header("x-api-key", "anything")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"m1\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.headers().firstValue("x-ensemble-model")).contains("m1");
                assertThat(answer.body()).contains("answer through the gateway");
                assertThat(server.modelCalls()).singleElement().satisfies(r -> assertThat(r.path()).isEqualTo("/v1/chat/completions"));

                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
                assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGINT").isTrue();
                assertThat(process.exitValue()).isEqualTo(ExitCodes.INTERRUPTED);
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
