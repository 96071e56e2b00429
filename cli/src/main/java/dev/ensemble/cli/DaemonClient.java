package dev.ensemble.cli;

import dev.ensemble.cli.daemon.DaemonState;
import dev.ensemble.llm.http.HttpTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The commands' side of the daemon: finds it from its state file (its address and token), sends
 * what {@code go --detach}, {@code resume --detach} and {@code cancel} ask for, and follows a run's
 * events for {@code attach}. Without a daemon it says how to start one; it never starts one itself,
 * so a daemon never inherits one command's environment and terminal by accident.
 */
final class DaemonClient {
    private final String url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DaemonClient(String url, String token) {
        this.url = url;
        this.token = token;
    }

    /** The running daemon of this user; exit 2 with the next step when none runs. */
    static DaemonClient find(AppContext app) {
        DaemonState state = new DaemonState(app.userDirs().stateDir());
        var snapshot = state.read();
        if (snapshot.isEmpty() || !state.held()) {
            throw new UserInputException("no ensemble daemon runs for this user (" + state.file() + "): start one with "
                    + "`ensemble serve &`, or leave out --detach to run in this terminal");
        }
        return new DaemonClient(snapshot.get().url(), snapshot.get().token());
    }

    static int detachGo(AppContext app, GoCommand go) {
        Preflight.repositoryWithCommit(app);
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("repo", app.repoRoot().toString());
        if (go.request != null) body.put("request", go.request);
        if (go.planFile != null) body.put("plan_file", go.planFile.toAbsolutePath().toString());
        if (go.agent != null) body.put("agent", go.agent);
        if (go.model != null) body.put("model", go.model);
        if (go.plannerModel != null) body.put("planner", go.plannerModel);
        if (go.parallel != null) body.put("parallel", go.parallel);
        body.put("timeout", go.timeout);
        if (go.testCommand != null) body.put("test_command", go.testCommand);
        body.put("yes", go.yes).put("apply", go.apply);
        return accepted(app, find(app).post("/api/runs", body), go.json);
    }

    static int detachResume(AppContext app, String runId, boolean yes, String timeout, boolean json) {
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("yes", yes).put("timeout", timeout);
        return accepted(app, find(app).post("/api/runs/" + runId + "/resume", body), json);
    }

    private static int accepted(AppContext app, JsonNode answer, boolean json) {
        Terminal term = app.terminal();
        if (json) {
            term.printJson(answer);
        } else {
            String id = answer.path("run_id").asString();
            term.out().println(id);
            term.err().println(term.dim("handed to the daemon: `ensemble attach " + id + "` follows it, `ensemble cancel " + id + "` stops it"));
        }
        return ExitCodes.OK;
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HttpTransport.JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UserInputException("the daemon at " + url + " does not answer (" + e.getMessage() + "): restart it with `ensemble serve &`");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode answer;
        try {
            answer = HttpTransport.JSON.readTree(response.body());
        } catch (RuntimeException e) {
            answer = HttpTransport.JSON.createObjectNode().put("error", "HTTP " + response.statusCode());
        }
        if (response.statusCode() >= 400) {
            String message = "daemon: " + answer.path("error").asString("HTTP " + response.statusCode());
            if (response.statusCode() < 500) throw new UserInputException(message);
            throw new IllegalStateException(message);
        }
        return answer;
    }

    /**
     * Follows a run's events until it ends: prints each, and returns the run's exit status (from
     * its {@code run.ended} event, or from its state when the daemon does not carry it out).
     */
    int follow(String runId, Terminal term) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/events?run=" + runId))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
        try {
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                throw new UserInputException("daemon: " + HttpTransport.JSON.readTree(body).path("error").asString("HTTP " + response.statusCode()));
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String event = "";
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event: ")) event = line.substring(7);
                    if (!line.startsWith("data: ")) continue;
                    JsonNode data = HttpTransport.JSON.readTree(line.substring(6));
                    if (event.equals("run.idle")) {
                        term.err().println("run " + runId + " is " + data.path("status").asString() + " and not running in the daemon"
                                + (data.path("exit").asInt() == 1 && !data.path("status").asString().equals("failed")
                                ? ": `ensemble resume " + runId + " --detach` goes on with it" : ""));
                        return data.path("exit").asInt(1);
                    }
                    term.err().println(describe(event, data));
                    if (event.equals("run.ended")) return data.path("data").path("exit").asInt(1);
                }
            }
            term.err().println("the daemon closed the stream before the run ended: `ensemble attach " + runId + "` again");
            return ExitCodes.FAILED;
        } catch (IOException e) {
            throw new UserInputException("the daemon at " + url + " does not answer (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String describe(String event, JsonNode e) {
        JsonNode d = e.path("data");
        String task = e.path("task_id").asString();
        String what = switch (event) {
            case "task.started" -> "▶ " + task + " " + d.path("title").asString() + " (attempt " + d.path("attempt").asInt() + ")";
            case "task.finished", "task.retrying", "task.skipped" -> (event.equals("task.finished") ? "■ " : event.equals("task.retrying") ? "↻ " : "– ")
                    + task + " " + d.path("status").asString() + " " + d.path("agent").asString() + "/" + d.path("model").asString()
                    + (d.path("reason").asString().isEmpty() ? "" : ": " + d.path("reason").asString());
            case "agent.tool" -> "  " + task + " │ tool " + d.path("tool").asString() + " " + d.path("input").asString();
            case "agent.command" -> "  " + task + " │ run  " + d.path("command").asString();
            case "agent.message" -> "  " + task + " │ say  " + d.path("text").asString().lines().findFirst().orElse("");
            case "agent.error" -> "  " + task + " │ err  " + d.path("message").asString();
            case "run.ended" -> "run " + e.path("run_id").asString() + " ended: " + d.path("status").asString() + " (exit " + d.path("exit").asInt() + ")";
            default -> event + " " + d;
        };
        return what.length() > 200 ? what.substring(0, 200) + "…" : what;
    }
}
