package dev.ensemble.cli.daemon;

import dev.ensemble.cli.AppContext;
import dev.ensemble.cli.Main;
import dev.ensemble.cli.RunIds;
import dev.ensemble.cli.Terminal;
import dev.ensemble.engine.event.RunEvent;
import dev.ensemble.engine.run.RunKind;
import dev.ensemble.engine.run.RunState;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.run.TaskRecord;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the API's handlers share: finding a run in the repositories, reading a JSON body, and
 * answering with what a CLI command prints with {@code --json} (run in-process in the repository,
 * so the API and the command cannot disagree).
 */
final class Api {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** A run and the repository whose store holds it. */
    record Found(Path repo, RunState state) {}

    final Repositories repositories;
    final DetachedRuns runs;
    final Path home;

    Api(Repositories repositories, DetachedRuns runs, Path home) {
        this.repositories = repositories;
        this.runs = runs;
        this.home = home;
    }

    static String checkRunId(String id) {
        if (id == null || !RUN_ID.matcher(id).matches() || id.contains("..")) throw ApiError.bad("not a run id: " + cut(id));
        return id;
    }

    static String checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches() || value.contains("..")) throw ApiError.bad(what + ": not a valid name: " + cut(value));
        return value;
    }

    /** The run by id, in whichever known repository holds it; 404 otherwise. */
    Found run(String runId) {
        checkRunId(runId);
        Optional<DetachedRuns.Running> here = runs.find(runId);
        List<Path> order = new ArrayList<>();
        here.ifPresent(r -> order.add(r.repo()));
        order.addAll(repositories.all());
        for (Path repo : order) {
            Optional<RunState> state = store(repo).find(runId);
            if (state.isPresent()) return new Found(repo, state.get());
        }
        throw ApiError.notFound("no run '" + runId + "' in any repository of this daemon");
    }

    RunStore store(Path repo) {
        return new RunStore(repositories.reader(repo).store());
    }

    /** The repositories a request is about: {@code ?repo=} (id or path), else all. */
    List<Path> repos(Context ctx) {
        String repo = ctx.queryParam("repo");
        return repo == null || repo.isBlank() ? repositories.all() : List.of(repositories.find(repo));
    }

    /** The repository a view is read in: {@code ?repo=}, else the first known, else where the daemon started. */
    Path repoOrHome(Context ctx) {
        String repo = ctx.queryParam("repo");
        if (repo != null && !repo.isBlank()) return repositories.find(repo);
        return repositories.all().stream().findFirst().orElse(home);
    }

    /** The request's JSON object; 400 when it is not one, 415 when it is not sent as JSON. */
    static JsonNode body(Context ctx) {
        String type = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "send the body as application/json");
        }
        String text = ctx.body();
        if (text.isBlank()) return HttpTransport.JSON.createObjectNode();
        try {
            JsonNode node = HttpTransport.JSON.readTree(text);
            if (node == null || !node.isObject()) throw ApiError.bad("the body must be a JSON object");
            return node;
        } catch (JacksonException e) {
            throw ApiError.bad("malformed JSON: " + cut(e.getOriginalMessage()));
        }
    }

    static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isString()) throw ApiError.bad(field + ": must be a string");
        return Optional.of(v.asString());
    }

    static boolean flag(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiError.bad(field + ": must be true or false");
        return v.asBoolean();
    }

    static Optional<Integer> integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.bad(field + ": must be a whole number");
        return Optional.of(v.asInt());
    }

    /**
     * What {@code ensemble <args>} prints with {@code --json} in the repository. Exit 2 (bad input)
     * is a 400 with the command's message; any other failure a 500.
     */
    JsonNode command(Path repo, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        int code;
        try (AppContext app = repositories.open(terminal, repo)) {
            code = Main.run(app, args);
        }
        String message = err.toString(StandardCharsets.UTF_8).strip().replaceFirst("^ensemble: ", "");
        if (code == 2) throw ApiError.bad(message);
        if (code != 0 && out.size() == 0) throw new ApiError(500, message.isEmpty() ? "ensemble " + args[0] + " failed" : message);
        try {
            return HttpTransport.JSON.readTree(out.toString(StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new ApiError(500, "ensemble " + args[0] + " printed no JSON");
        }
    }

    static ObjectNode runJson(Path repo, RunStore.RunInfo info, boolean active) {
        return HttpTransport.JSON.createObjectNode().put("run_id", info.runId()).put("repo", DaemonState.repoId(repo))
                .put("repo_path", repo.toString()).put("request", info.request()).put("status", info.status().key())
                .put("kind", info.kind().key()).put("created_at", info.createdAt().toString())
                .put("updated_at", info.updatedAt().toString()).put("tasks", info.tasks()).put("dispatched", info.dispatched())
                .put("active", active);
    }

    static ObjectNode taskJson(TaskRecord t) {
        ObjectNode n = HttpTransport.JSON.createObjectNode().put("task_id", t.taskId()).put("status", t.status().key())
                .put("attempt", t.attempt()).put("fallback_step", t.fallbackStep()).put("agent", t.agent()).put("model", t.model())
                .put("reason", t.reason()).put("input_tokens", t.usage().inputTokens()).put("output_tokens", t.usage().outputTokens())
                .put("cost_usd", t.costUsd()).put("duration_ms", t.duration().toMillis()).put("updated_at", t.updatedAt().toString());
        ArrayNode files = n.putArray("files");
        t.files().forEach(files::add);
        return n;
    }

    static ObjectNode event(RunEvent e) {
        ObjectNode n = HttpTransport.JSON.createObjectNode().put("id", e.id()).put("at", e.at().toString()).put("run_id", e.runId())
                .put("task_id", e.taskId()).put("kind", e.kind());
        try {
            n.set("data", HttpTransport.JSON.readTree(e.data()));
        } catch (JacksonException bad) {
            n.put("data", e.data());
        }
        return n;
    }

    /** The exit status a run's state stands for, when no command's own is known. */
    static int exitOf(RunState state) {
        return switch (state.status()) {
            case DONE -> 0;
            case CANCELLED -> 130;
            default -> 1;
        };
    }

    static boolean isGo(RunState state) {
        return state.kind() == RunKind.GO;
    }

    static String newRunId() {
        return RunIds.next();
    }

    static String cut(String s) {
        if (s == null) return "null";
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
