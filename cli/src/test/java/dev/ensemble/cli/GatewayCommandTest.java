package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code ensemble gateway}: its refusal to listen openly without a key requirement, and real runs as a process. */
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
    void aRevokedKeyDoesNotLetTheGatewayListenOpenly() throws Exception {
        CliHarness cli = new CliHarness(dir);
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString(), "XDG_DATA_HOME", dir.resolve("home/.local/share").toString());
        // A revoked key is no key: the gateway still refuses to listen openly.
        String secret = cli.run(env, "keys", "create", "gone").out().strip();
        assertThat(cli.run(env, "keys", "revoke", "gone").exitCode()).isZero();
        CliHarness.Run run = cli.run(env, "gateway", "--bind", "0.0.0.0", "--port", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("refusing to listen on 0.0.0.0").doesNotContain(secret);
    }

    @Test
    void servesAClientUntilInterrupted() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("answer through the gateway"));
            scripted(cli, server);
            Process process = gateway(cli, Map.of(), "--port", "0", "--json");
            try {
                JsonNode listening = listening(process);
                assertThat(listening.path("key_required").asBoolean()).isFalse();
                String url = listening.path("url").asString();

                HttpResponse<String> answer = ask(url, "anything");
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

    @Test
    void aGatewayStoppedRightAfterItsCallsHasWrittenEveryOneToTheLedger() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("one of many"));
            scripted(cli, server);
            Process process = gateway(cli, Map.of(), "--port", "0", "--json");
            int calls = 24;
            try {
                String url = listening(process).path("url").asString();
                // Both paths: translated (Anthropic in, OpenAI Chat out) and byte for byte (OpenAI Chat in and out).
                for (int i = 0; i < calls / 2; i++) {
                    assertThat(ask(url, "anything").statusCode()).isEqualTo(200);
                    assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                }
                // Stopped at once: rows still queued for the ledger's writer are written on the way out.
                new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
                assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            } finally {
                process.destroyForcibly();
            }
            assertThat(server.modelCalls()).hasSize(calls);
            try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
                assertThat(new Ledger(store).totals(Optional.empty()).calls()).isEqualTo(calls);
            }
        }
    }

    @Test
    void aVirtualKeyMakesEveryClientShowOneAndLetsTheGatewayListenOpenly() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("answer for a key holder"));
            scripted(cli, server);
            CliHarness.Run made = cli.run(userEnv(), "keys", "create", "ci-bot", "--budget-usd", "5", "--per", "day");
            assertThat(made.exitCode()).as(made.all()).isZero();
            String secret = made.out().strip();
            Process process = gateway(cli, Map.of(), "--bind", "0.0.0.0", "--port", "0", "--json");
            try {
                JsonNode listening = listening(process);
                assertThat(listening.path("key_required").asBoolean()).isTrue();
                String url = listening.path("url").asString();

                assertThat(ask(url, null).statusCode()).as("no key").isEqualTo(401);
                assertThat(ask(url, "anything").statusCode()).as("a key nobody made").isEqualTo(401);
                assertThat(server.modelCalls()).isEmpty();
                HttpResponse<String> answer = ask(url, secret);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("answer for a key holder");

                // The metrics of `ensemble gateway` count both, and name the key only by name.
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + secret).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body())
                        .contains("ensemble_gateway_requests_total{model=\"m1\",status=\"2xx\",wire=\"anthropic\"} 1.0")
                        .contains("ensemble_gateway_refused_total{reason=\"unauthorized\",wire=\"anthropic\"} 2.0")
                        .contains("ensemble_gateway_active_streams{wire=\"anthropic\"} 0.0")
                        .contains("ensemble_budget_left_usd{key=\"ci-bot\",scope=\"key\"} 5.0")
                        .doesNotContain(secret).doesNotContain(secret.substring("ens-vk-".length(), 20));
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void theOperatorTokenMakesEveryClientShowAKeyOnLoopbackToo() throws Exception {
        CliHarness cli = new CliHarness(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.rule(Rule.text("answer for the operator"));
            scripted(cli, server);
            Process process = gateway(cli, Map.of("ENSEMBLE_TOKEN", "operator-token-4c7e91d2a8"), "--port", "0", "--json");
            try {
                JsonNode listening = listening(process);
                assertThat(listening.path("key_required").asBoolean()).isTrue();
                String url = listening.path("url").asString();
                assertThat(ask(url, null).statusCode()).isEqualTo(401);
                assertThat(ask(url, "operator-token-4c7e91d2a8").statusCode()).isEqualTo(200);

                // The scrape counts the upstream calls of both paths: translated (above) and byte for byte (OpenAI wire in and out).
                HttpResponse<String> same = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer operator-token-4c7e91d2a8")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer operator-token-4c7e91d2a8").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("ensemble_model_calls_total{model=\"m1\",outcome=\"ok\",provider=\"scripted\"} 2.0")
                        .doesNotContain("operator-token-4c7e91d2a8");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private Map<String, String> userEnv() {
        Path home = dir.resolve("home");
        return Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", home.toString(),
                "XDG_CONFIG_HOME", home.resolve(".config").toString(), "XDG_CACHE_HOME", home.resolve(".cache").toString(),
                "XDG_DATA_HOME", home.resolve(".local/share").toString(), "OLLAMA_HOST", "http://127.0.0.1:9");
    }

    private static void scripted(CliHarness cli, ScriptedModelServer server) throws java.io.IOException {
        cli.repoConfig("providers:\n  scripted: { wire: openai-chat, base_url: \"" + server.baseUrl() + "/v1\", local: true }\n"
                + "models:\n  m1: " + CliHarness.scriptedModel("m1", "qwen", 6.0) + "\n");
    }

    private Process gateway(CliHarness cli, Map<String, String> extraEnv, String... args) throws Exception {
        Files.createDirectories(dir.resolve("home"));
        // A JVM started from a background job inherits SIGINT ignored, and then never sees it: env puts
        // the default back, as a terminal's Ctrl-C finds it.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "gateway"));
        command.addAll(List.of(args));
        // Standard error to a file: the JVM's own warnings (a native library loaded) are not the gateway's first line.
        ProcessBuilder builder = new ProcessBuilder(command).directory(cli.repo.toFile())
                .redirectError(dir.resolve("gateway-" + System.nanoTime() + ".err").toFile());
        Map<String, String> env = new HashMap<>(userEnv());
        env.putAll(extraEnv);
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    private static JsonNode listening(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("the gateway's first line").isNotNull().startsWith("{");
        return HttpTransport.JSON.readTree(first);
    }

    private static HttpResponse<String> ask(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v1/messages")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m1\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (key != null) request.header("x-api-key", key);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
