package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.engine.approval.ApprovalKind;
import dev.ensemble.engine.approval.ApprovalRequest;
import dev.ensemble.engine.approval.ApprovalState;
import dev.ensemble.engine.approval.Decision;
import dev.ensemble.llm.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** A real daemon on 127.0.0.1:0 in-process: token on every route, JSON errors, the OpenAPI document, bad input. */
class DaemonApiTest {
    @TempDir Path dir;
    CliHarness cli;
    ServeCommand.Started started;
    String url;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cli = new CliHarness(dir);
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", dir.resolve("state").toString(),
                "XDG_CONFIG_HOME", dir.resolve("home/.config").toString(), "XDG_DATA_HOME", dir.resolve("data").toString(),
                "ENSEMBLE_TOKEN", "test-token-123456");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AppContext app = new AppContext(new Terminal(sink, sink, false), cli.repo, null, env);
        started = ServeCommand.start(app, "127.0.0.1", 0, (terminal, repo) -> new AppContext(terminal, repo, null, env));
        url = started.daemon().url();
    }

    @AfterEach
    void stop() {
        if (started != null) started.close();
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> authed(String method, String path, String body) throws Exception {
        return send(method, path, body, Map.of("Authorization", "Bearer test-token-123456", "Content-Type", "application/json"));
    }

    @Test
    void everyRouteNeedsTheTokenAndErrorsAreJson() throws Exception {
        for (String path : new String[] {"/api/daemon", "/api/runs", "/api/openapi.json", "/api/events", "/", "/v1/models", "/metrics"}) {
            HttpResponse<String> r = send("GET", path, null, Map.of());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).doesNotContain("test-token-123456");
        }
        assertThat(send("GET", "/api/daemon", null, Map.of("Authorization", "Bearer wrong")).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = authed("GET", "/api/daemon", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(HttpTransport.JSON.readTree(ok.body()).path("url").asString()).isEqualTo(url);
        assertThat(authed("GET", "/v1/models", null).statusCode()).as("the mounted gateway takes the token").isEqualTo(200);
    }

    @Test
    void badInputIsA4xxThatSaysWhatIsWrong() throws Exception {
        HttpResponse<String> unknown = authed("GET", "/api/runs/run-20260101-000000-abcd", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(HttpTransport.JSON.readTree(unknown.body()).path("error").asString()).contains("no run");
        HttpResponse<String> malformed = authed("POST", "/api/runs", "{not json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(HttpTransport.JSON.readTree(malformed.body()).path("error").asString()).contains("malformed JSON");
        HttpResponse<String> noRepo = authed("POST", "/api/runs", "{\"request\":\"x\"}");
        assertThat(noRepo.statusCode()).isEqualTo(400);
        HttpResponse<String> notGit = authed("POST", "/api/runs", "{\"repo\":\"" + dir + "\",\"request\":\"x\"}");
        assertThat(HttpTransport.JSON.readTree(notGit.body()).path("error").asString()).contains("not the top folder of a git repository");
        assertThat(authed("GET", "/api/nothing", null).statusCode()).isEqualTo(404);
        assertThat(authed("POST", "/api/runs/run-20260101-000000-abcd/cancel", "{}").statusCode()).isEqualTo(404);
        assertThat(authed("GET", "/api/runs", null).body()).isEqualTo("[]");
    }

    @Test
    void anApprovalIsAnsweredOnceOverTheApiAndTheLoserIsTold() throws Exception {
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", dir.resolve("state").toString(),
                "XDG_CONFIG_HOME", dir.resolve("home/.config").toString(), "XDG_DATA_HOME", dir.resolve("data").toString());
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        String id;
        try (AppContext waiting = new AppContext(new Terminal(sink, sink, false), cli.repo, null, env)) {
            id = waiting.approvals().request(new ApprovalRequest("20261206-000000-abcd", cli.repo.toString(), ApprovalKind.FORECAST,
                    "run could cost up to $2.00, above budget.approve_above_usd $1.00", Duration.ofMinutes(5), Decision.REJECT)).id();
        }
        JsonNode pending = HttpTransport.JSON.readTree(authed("GET", "/api/approvals?state=pending", null).body());
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).path("id").asString()).isEqualTo(id);

        HttpResponse<String> approved = authed("POST", "/api/approvals/" + id + "/approve", "{\"reason\":\"looks fine\"}");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("\"approved\"", "\"api\"", "looks fine");

        HttpResponse<String> late = authed("POST", "/api/approvals/" + id + "/reject", null);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(HttpTransport.JSON.readTree(late.body()).path("error").asString()).contains("already decided");
        assertThat(authed("POST", "/api/approvals/apr-00000000/approve", null).statusCode()).isEqualTo(404);
        assertThat(authed("GET", "/api/approvals?state=maybe", null).statusCode()).isEqualTo(400);
        try (AppContext after = new AppContext(new Terminal(sink, sink, false), cli.repo, null, env)) {
            assertThat(after.approvals().find(id).orElseThrow().state()).isEqualTo(ApprovalState.APPROVED);
            // Asked in one process, answered in the daemon: both are in the run's event log, for every view.
            assertThat(after.runEvents().log().after(0, java.util.Optional.of("20261206-000000-abcd"), 100))
                    .extracting(dev.ensemble.engine.event.RunEvent::kind).containsExactly("approval.requested", "approval.decided");
        }
    }

    @Test
    void crossOriginPostIsRefused() throws Exception {
        HttpResponse<String> r = send("POST", "/api/runs", "{}", Map.of("Authorization", "Bearer test-token-123456",
                "Content-Type", "application/json", "Origin", "http://evil.example"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(HttpTransport.JSON.readTree(r.body()).path("error").asString()).contains("cross-origin");
    }

    @Test
    void theOpenApiDocumentListsEveryRoute() throws Exception {
        JsonNode doc = HttpTransport.JSON.readTree(authed("GET", "/api/openapi.json", null).body());
        assertThat(doc.path("openapi").asString()).isEqualTo("3.1.0");
        for (String p : new String[] {"/api/runs", "/api/runs/{run}/cancel", "/api/events", "/api/usage", "/api/memory", "/api/openapi.json"}) {
            assertThat(doc.path("paths").has(p)).as(p).isTrue();
        }
    }

    @Test
    void aSecondDaemonForTheSameUserDoesNotStart() {
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", dir.resolve("state").toString(),
                "ENSEMBLE_TOKEN", "test-token-123456");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AppContext app = new AppContext(new Terminal(sink, sink, false), cli.repo, null, env);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.start(app, "127.0.0.1", 0, (t, r) -> app))
                .isInstanceOf(UserInputException.class).hasMessageContaining("already runs");
    }
}
