package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.process.Sandbox;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Runs handed to a real daemon (in-process on 127.0.0.1:0) whose models are the scripted server and
 * whose agent is the builtin one: {@code go --detach} answers an id at once and the run finishes;
 * {@code attach} follows it and exits with its status; the event stream resumed with
 * {@code Last-Event-ID} equals the persisted log; {@code cancel} stops a run whose judge is running
 * a command (that command's whole session gone, worktrees kept, state cancelled); every GET route
 * answers 2xx.
 */
class DaemonRunsTest {
    private static final String TOKEN = "test-token-runs-1234";
    private static final String REQUEST = "add greeting";

    @TempDir Path dir;
    ScriptedModelServer server;
    CliHarness cli;
    Map<String, String> env;
    ServeCommand.Started started;
    String url;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = ScriptedModelServer.start();
        cli = DaemonDurabilityTest.team(server, dir);
        DaemonDurabilityTest.script(server);
        env = DaemonDurabilityTest.env(dir, TOKEN);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AppContext app = context(new Terminal(sink, sink, false), cli.repo);
        started = ServeCommand.start(app, "127.0.0.1", 0, this::context);
        url = started.daemon().url();
    }

    private AppContext context(Terminal terminal, Path repo) {
        AppContext app = new AppContext(terminal, repo, new ConfigLoader(cli.userConfig, repo.resolve("ensemble.yaml"), env), env);
        app.detectedSandbox(new Sandbox.None("the test reads the judge's process session from outside"));
        app.useSecrets(CliHarness.secretsFrom(env));
        return app;
    }

    @AfterEach
    void stop() throws Exception {
        if (started != null) started.close();
        server.close();
    }

    @Test
    void detachedRunFinishesAttachFollowsItAndTheResumedStreamEqualsTheLog() throws Exception {
        CliHarness.Run detached = cli.run(env, "go", "--detach", "--parallel", "1", REQUEST);
        assertThat(detached.exitCode()).as(detached.all()).isZero();
        String runId = detached.out().strip();
        assertThat(RunIds.valid(runId)).as(detached.out()).isTrue();

        // Follow a few events, drop the connection, and come back with the last id seen.
        List<Sse> first = new ArrayList<>();
        try (InputStream body = events("?run=" + runId, null)) {
            Iterator<Sse> it = frames(body);
            while (first.size() < 3 && it.hasNext()) first.add(it.next());
        }
        assertThat(first).as(daemonLog(runId)).hasSize(3);
        assertThat(first.getFirst().event()).isEqualTo("run.accepted");
        List<Sse> rest = new ArrayList<>();
        try (InputStream body = events("?run=" + runId, first.getLast().id())) {
            frames(body).forEachRemaining(rest::add);
        }
        assertThat(rest.getLast().event()).isEqualTo("run.ended");

        CliHarness.Run attached = cli.run(env, "attach", runId);
        int exit = HttpTransport.JSON.readTree(rest.getLast().data()).path("data").path("exit").asInt();
        assertThat(attached.exitCode()).as(attached.all()).isEqualTo(exit).isEqualTo(ExitCodes.FAILED);  // the sneaky task's lock file
        assertThat(attached.err()).contains("run " + runId + " ended: failed (exit 1)");

        List<Long> streamed = new ArrayList<>();
        Stream.concat(first.stream(), rest.stream()).forEach(s -> streamed.add(HttpTransport.JSON.readTree(s.data()).path("id").asLong()));
        List<Long> persisted = new ArrayList<>();
        get("/api/runs/" + runId + "/events").forEach(e -> persisted.add(e.path("id").asLong()));
        assertThat(streamed).as("none missed, none repeated").isEqualTo(persisted);

        JsonNode run = get("/api/runs/" + runId);
        assertThat(run.path("status").asString()).isEqualTo("failed");

        // Every GET route of the API answers 2xx for this run.
        String transcript = get("/api/runs/" + runId + "/transcripts").path(0).path("file").asString();
        assertThat(transcript).isNotEmpty();
        JsonNode paths = get("/api/openapi.json").path("paths");
        List<String> checked = new ArrayList<>();
        for (var e : paths.properties()) {
            if (!e.getValue().has("get")) continue;
            String path = e.getKey().replace("{run}", runId).replace("{file}", transcript);
            if (path.equals("/api/events")) path += "?run=" + runId;  // ends with the run; unfiltered it never ends
            HttpResponse<String> r = send("GET", path, null);
            assertThat(r.statusCode()).as(path + ": " + r.body()).isBetween(200, 299);
            assertThat(r.body()).as(path).doesNotContain(TOKEN);
            checked.add(e.getKey());
        }
        assertThat(checked).contains("/api/runs/{run}/diff", "/api/repositories", "/api/models", "/api/memory", "/api/daemon");
    }

    @Test
    void cancelStopsTheRunAndItsProcessesAndKeepsTheWorktrees() throws Exception {
        Path flag = Files.writeString(dir.resolve("hold"), "");
        Path pidFile = dir.resolve("judge.pid");
        // The judge's test command: while the flag exists it records its shell's pid (its session's
        // leader: the launcher starts it with setsid) and sleeps, with a child of its own.
        String testCommand = "if [ -e '" + flag + "' ]; then echo $$ > '" + pidFile + "'; sleep 300 & sleep 300; fi";
        CliHarness.Run detached = cli.run(env, "go", "--detach", "--parallel", "1", "--test-command", testCommand, REQUEST);
        assertThat(detached.exitCode()).as(detached.all()).isZero();
        String runId = detached.out().strip();
        assertThat(get("/api/runs/" + runId).path("run_id").asString()).as("found the moment it was handed over").isEqualTo(runId);
        await("the judge's command runs", () -> {
            assertThat(get("/api/daemon").path("active").toString()).as(daemonLog(runId)).contains(runId);
            return Files.exists(pidFile) && !read(pidFile).isBlank();
        });
        long session = Long.parseLong(read(pidFile));
        assertThat(sessionMembers(session)).as("the command and its sleeps").hasSizeGreaterThanOrEqualTo(2);

        CliHarness.Run cancelled = cli.run(env, "cancel", runId);
        assertThat(cancelled.exitCode()).as(cancelled.all()).isZero();
        assertThat(cancelled.out()).contains(runId + " cancelled");
        assertThat(get("/api/runs/" + runId).path("status").asString()).isEqualTo("cancelled");
        await("every process of the command's session is gone", () -> sessionMembers(session).isEmpty());
        assertThat(cli.git("worktree", "list").strip().lines().count()).as("the task's worktree kept").isGreaterThan(1);
        CliHarness.Run attached = cli.run(env, "attach", runId);
        assertThat(attached.exitCode()).as(attached.all()).isEqualTo(130);

        // Resumed through the daemon, it finishes as any run of this plan does.
        Files.delete(flag);
        CliHarness.Run resumed = cli.run(env, "resume", runId, "--detach");
        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        CliHarness.Run followed = cli.run(env, "attach", runId);
        assertThat(followed.exitCode()).as(followed.all()).isEqualTo(ExitCodes.FAILED);
        assertThat(followed.err()).doesNotContain("exit 130");
        assertThat(get("/api/runs/" + runId).path("status").asString()).isEqualTo("failed");
    }

    @Test
    void aForeignHostIsRefusedOnALoopbackBind() throws Exception {
        // java.net.http will not set Host; a raw request does, as a rebinding page's browser would.
        try (var socket = new java.net.Socket("127.0.0.1", started.daemon().port())) {
            socket.getOutputStream().write(("GET /api/daemon HTTP/1.1\r\nHost: evil.example:" + started.daemon().port()
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 421").contains("answers only to");
        }
        assertThat(send("GET", "/api/daemon", null).statusCode()).isEqualTo(200);
    }

    // ---- helpers ----

    record Sse(String id, String event, String data) {}

    private InputStream events(String query, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/api/events" + query)).header("Authorization", "Bearer " + TOKEN);
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The frames of an SSE body that carry an event (comments skipped), until the body ends. */
    static Iterator<Sse> frames(InputStream body) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        return new Iterator<>() {
            Sse next;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                try {
                    String id = null;
                    String event = null;
                    String data = null;
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.isEmpty()) {
                            if (data != null) {
                                next = new Sse(id, event, data);
                                return true;
                            }
                            continue;
                        }
                        if (line.startsWith("id: ")) id = line.substring(4);
                        if (line.startsWith("event: ")) event = line.substring(7);
                        if (line.startsWith("data: ")) data = line.substring(6);
                    }
                    return false;
                } catch (java.io.IOException e) {
                    return false;
                }
            }

            @Override
            public Sse next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                Sse s = next;
                next = null;
                return s;
            }
        };
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return HttpTransport.JSON.readTree(r.body());
    }

    /** Processes whose session (field 6 of /proc/PID/stat) is {@code session}. */
    static List<Long> sessionMembers(long session) {
        List<Long> members = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // After the name: state, ppid, pgrp, session; a zombie is already gone.
                    if (!fields[0].equals("Z") && Long.parseLong(fields[3]) == session) members.add(Long.parseLong(p.getFileName().toString()));
                } catch (java.io.IOException | RuntimeException gone) {
                    // Exited while we looked.
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return members;
    }

    private String daemonLog(String runId) {
        Path sessions = cli.repo.resolve(".ensemble/sessions/" + runId);
        String files;
        try (Stream<Path> all = Files.walk(sessions)) {
            files = all.map(Path::toString).toList().toString();
        } catch (java.io.IOException e) {
            files = e.toString();
        }
        return "daemon.log: " + read(sessions.resolve("daemon.log")) + "\nfiles: " + files + "\nreport: " + cli.run(env, "report", runId).all();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void await(String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("waited for: %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
