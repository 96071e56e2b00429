package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.RecordedRequest;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 of a daemon process (a child JVM running {@code ensemble serve}, and every process under
 * it) while a detached run has two tasks in flight, then {@code ensemble serve} again: the run
 * resumes by itself and ends as the same plan run without interruption does (task statuses and
 * the run branch's tree). Two daemons and two runs: in the slow profile.
 */
@Tag("slow")
class DaemonDurabilityTest {
    private static final String TOKEN = "test-token-durable-123";
    private static final String REQUEST = "add greeting";

    @TempDir Path dir;
    @TempDir Path referenceDir;
    Process daemon;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) GoCrashResumeTest.kill9(daemon);
    }

    /** A repository whose planner, reviewer and builtin agent are the scripted server's (GoCommandTest's plan). */
    static CliHarness team(ScriptedModelServer server, Path dir) throws Exception {
        CliHarness cli = new CliHarness(dir);
        cli.repoConfig("""
                default_model: local-scripted
                retry: { max_attempts: 1 }
                providers:
                  scripted: { wire: ollama, base_url: "%s", local: true }
                models:
                  local-scripted: %s
                local_only: true
                """.formatted(server.baseUrl(), CliHarness.scriptedModel("local-scripted", "test", 8)));
        server.localModels(List.of("local-scripted"));
        return cli;
    }

    static void script(ScriptedModelServer server) {
        server.rule(Rule.text(GoCommandTest.PLAN).whenTools(false).whenPrompt("^Request:").named("planner"));
        server.rule(Rule.text("{\"verdict\":\"pass\",\"reasons\":[]}").whenTools(false).whenPrompt("^Task ").named("reviewer"));
        write(server, "MARK-TESTS", "tests/greeting_test.txt", "assert greets\\n");
        write(server, "MARK-A", "src/a.txt", "hello\\n");
        write(server, "MARK-B", "src/b.txt", "hi back\\n");
        write(server, "MARK-LOCK", "deps/package-lock.json", "{}");
        server.rule(Rule.answer(dev.ensemble.testkit.Reply.toolCall("finish", "{\"summary\":\"done\"}")).whenTools(true)
                .whenToolResult(true).named("finish"));
    }

    private static void write(ScriptedModelServer server, String marker, String path, String content) {
        server.rule(Rule.answer(dev.ensemble.testkit.Reply.toolCall("write_file", "{\"path\":\"" + path + "\",\"content\":\"" + content + "\"}"))
                .whenTools(true).whenToolResult(false).whenPrompt(marker).named("write " + path));
    }

    /** A user of its own: home, config, state and data under {@code dir}; the daemon's token. */
    static Map<String, String> env(Path dir, String token) {
        return Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", dir.resolve("state").toString(),
                "XDG_CONFIG_HOME", dir.resolve("home/.config").toString(), "XDG_DATA_HOME", dir.resolve("data").toString(),
                "XDG_CACHE_HOME", dir.resolve("cache").toString(), "ENSEMBLE_TOKEN", token);
    }

    @Test
    void killedDaemonResumesItsRunOnTheNextStartAndFinishesAsAnUninterruptedRun() throws Exception {
        Map<String, String> reference;
        String referenceTree;
        try (ScriptedModelServer refServer = ScriptedModelServer.start()) {
            CliHarness ref = team(refServer, referenceDir);
            script(refServer);
            CliHarness.Run run = ref.run("go", "--parallel", "2", "--json", REQUEST);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(1);  // the sneaky task's lock file is rejected
            String refId = HttpTransport.JSON.readTree(run.out()).path("run_id").asString();
            reference = statuses(ref, refId);
            referenceTree = ref.git("rev-parse", "ensemble/" + refId + "/_run^{tree}").strip();
        }

        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            CliHarness cli = team(server, dir);
            Map<String, String> env = env(dir, TOKEN);
            // impl-a and impl-b run side by side after the tests task; each agent's first call hangs once.
            server.rule(Rule.fault(new Fault.Stall(Duration.ofSeconds(120))).whenTools(true).whenToolResult(false)
                    .whenPrompt("MARK-A").times(1).named("stalled impl-a"));
            server.rule(Rule.fault(new Fault.Stall(Duration.ofSeconds(120))).whenTools(true).whenToolResult(false)
                    .whenPrompt("MARK-B").times(1).named("stalled impl-b"));
            script(server);

            daemon = serve(cli, env, dir.resolve("daemon-1.out"));
            CliHarness.Run detached = cli.run(env, "go", "--detach", "--parallel", "2", REQUEST);
            assertThat(detached.exitCode()).as(detached.all()).isZero();
            String runId = detached.out().strip();
            DaemonRunsTest.await("impl-a and impl-b both in flight",
                    () -> agentCalls(server.requests(), "MARK-A") == 1 && agentCalls(server.requests(), "MARK-B") == 1);
            GoCrashResumeTest.kill9(daemon);

            daemon = serve(cli, env, dir.resolve("daemon-2.out"));
            String url = url(dir.resolve("daemon-2.out"));
            DaemonRunsTest.await("the run resumed by itself and ended", () -> ended(url, runId));
            assertThat(statuses(cli, runId)).isEqualTo(reference);
            assertThat(cli.git("rev-parse", "ensemble/" + runId + "/_run^{tree}").strip()).as("the run branch's tree").isEqualTo(referenceTree);
            assertThat(agentCalls(server.requests(), "MARK-TESTS")).as("accepted before the kill: not run again").isEqualTo(2);
            assertThat(cli.git("worktree", "list").strip().lines()).as("only the main working tree").hasSize(1);
        }
    }

    private Process serve(CliHarness cli, Map<String, String> env, Path output) throws Exception {
        Process p = GoCrashResumeTest.startEnsemble(cli, output, env, "serve", "--port", "0", "--json");
        DaemonRunsTest.await("the daemon listens", () -> {
            assertThat(p.isAlive()).as("daemon output: %s", read(output)).isTrue();
            return read(output).contains("\"url\"");
        });
        return p;
    }

    private static String url(Path output) {
        String line = read(output).lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        return HttpTransport.JSON.readTree(line).path("url").asString();
    }

    private boolean ended(String url, String runId) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/runs/" + runId))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode run = HttpTransport.JSON.readTree(r.body());
            return r.statusCode() == 200 && !run.path("active").asBoolean(true)
                    && List.of("done", "failed").contains(run.path("status").asString());
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> statuses(CliHarness cli, String runId) {
        CliHarness.Run report = cli.run("report", runId, "--json");
        Map<String, String> statuses = new TreeMap<>();
        for (JsonNode task : HttpTransport.JSON.readTree(report.out()).path("tasks")) {
            statuses.put(task.path("id").asString(), task.path("status").asString().toLowerCase(Locale.ROOT));
        }
        assertThat(statuses).as(report.all()).isNotEmpty();
        return statuses;
    }

    private static long agentCalls(List<RecordedRequest> requests, String marker) {
        return requests.stream().filter(r -> r.parsed() != null && r.parsed().toolsOffered() && r.body().contains(marker)).count();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
