package dev.ensemble.cli.daemon;

import dev.ensemble.agents.workspace.Git;
import dev.ensemble.engine.event.RunEvent;
import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.engine.store.AgentRunLog;
import dev.ensemble.engine.transcript.SessionTranscripts;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code /api/runs}: list, get, start, cancel, resume, and each run's tasks, attempts, events, transcripts, report, diff, violations. */
final class RunRoutes {
    private static final long TRANSCRIPT_LIMIT = 8L * 1024 * 1024;

    private final Api api;

    RunRoutes(Api api) {
        this.api = api;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/api/runs", "Runs of every repository (or one), newest first", this::list, "repo: a repository id or path"),
                Route.post("/api/runs", "Start a run (what `ensemble go --detach` sends); answers its id at once (202)", this::start,
                        "repo*: the repository's absolute path", "request: what to do (or plan_file)", "plan_file: a plan as `ensemble plan --json` prints it",
                        "agent: agent for tasks without a hint", "model: model or alias tried first", "planner: the planner's model",
                        "parallel: tasks at once", "timeout: per attempt (20m)", "test_command: the judge's test command",
                        "yes: approve a forecast above budget.approve_above_usd", "apply: merge into the checked-out branch at the end"),
                Route.get("/api/runs/{run}", "One run: its status, request and tasks", this::get),
                Route.post("/api/runs/{run}/cancel", "Cancel a run this daemon carries out (agents stopped, worktrees kept)", this::cancel),
                Route.post("/api/runs/{run}/resume", "Resume a run that is not running (202)", this::resume,
                        "yes: approve the forecast of what is left", "timeout: per attempt (20m)"),
                Route.get("/api/runs/{run}/tasks", "The run's tasks as the store holds them", ctx -> tasks(ctx)),
                Route.get("/api/runs/{run}/attempts", "Every agent run of the run's tasks", this::attempts),
                Route.get("/api/runs/{run}/events", "The run's stored events, oldest first", this::events,
                        "after: only events with a larger id", "limit: at most this many (1..1000, default 200)"),
                Route.get("/api/runs/{run}/transcripts", "The run's transcript files", this::transcripts),
                Route.get("/api/runs/{run}/transcripts/{file}", "One transcript file (JSON Lines) as text", this::transcript),
                Route.get("/api/runs/{run}/report", "The run's report (as `ensemble report --json`)", this::report),
                Route.get("/api/runs/{run}/diff", "The diff of the run branch (or of one task's branch) against where it started", this::diff,
                        "task: one task's change"),
                Route.get("/api/runs/{run}/violations", "What the Enforcer and the guard refused in the run", this::violations));
    }

    private Object list(Context ctx) {
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (Path repo : api.repos(ctx)) {
            for (RunStore.RunInfo info : api.store(repo).list()) out.add(Api.runJson(repo, info, api.runs.find(info.runId()).isPresent()));
        }
        return out;
    }

    private Object get(Context ctx) {
        String id = Api.checkRunId(ctx.pathParam("run"));
        Optional<DetachedRuns.Running> here = api.runs.find(id);
        if (here.isPresent() && api.store(here.get().repo()).find(id).isEmpty()) {
            // Handed over a moment ago: `go` writes the run's row once it starts planning, and
            // `attach` right after `go --detach` must find it all the same.
            Path repo = here.get().repo();
            ObjectNode n = HttpTransport.JSON.createObjectNode().put("run_id", id).put("repo", DaemonState.repoId(repo))
                    .put("repo_path", repo.toString()).put("status", "accepted").put("active", true);
            n.putArray("task_list");
            return n;
        }
        Api.Found f = api.run(id);
        RunStore.RunInfo info = api.store(f.repo()).list().stream().filter(i -> i.runId().equals(f.state().runId())).findFirst().orElseThrow();
        ObjectNode n = Api.runJson(f.repo(), info, api.runs.find(info.runId()).isPresent());
        ArrayNode tasks = n.putArray("task_list");
        f.state().tasks().forEach(t -> tasks.add(Api.taskJson(t)));
        return n;
    }

    private Object start(Context ctx) {
        JsonNode body = Api.body(ctx);
        Path repo = api.repositories.register(Api.text(body, "repo").orElse(null));
        Optional<String> request = Api.text(body, "request");
        Optional<String> planFile = Api.text(body, "plan_file");
        if (request.filter(r -> !r.isBlank()).isEmpty() && planFile.isEmpty()) throw ApiError.bad("give a request, or plan_file");
        String runId = Api.newRunId();
        List<String> args = new ArrayList<>(List.of("go", "--run-id=" + runId));
        option(args, "--plan", planFile.map(p -> {
            if (!Path.of(p).isAbsolute()) throw ApiError.bad("plan_file: must be an absolute path");
            return p;
        }));
        option(args, "--agent", Api.text(body, "agent"));
        option(args, "--model", Api.text(body, "model"));
        option(args, "--planner", Api.text(body, "planner"));
        option(args, "--parallel", Api.integer(body, "parallel").map(n -> {
            if (n < 1) throw ApiError.bad("parallel: must be at least 1");
            return Integer.toString(n);
        }));
        option(args, "--timeout", Api.text(body, "timeout"));
        option(args, "--test-command", Api.text(body, "test_command"));
        if (Api.flag(body, "yes")) args.add("--yes");
        if (Api.flag(body, "apply")) args.add("--apply");
        // After "--" a request that starts with a dash is still the request.
        request.ifPresent(r -> {
            args.add("--");
            args.add(r);
        });
        api.runs.start(repo, runId, "go", args);
        ctx.status(202);
        return HttpTransport.JSON.createObjectNode().put("run_id", runId).put("repo", DaemonState.repoId(repo)).put("status", "accepted");
    }

    /** {@code --name=value}: one argument, so a value that starts with a dash is never read as an option. */
    private static void option(List<String> args, String name, Optional<String> value) {
        value.ifPresent(v -> {
            if (v.isBlank() || v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) throw ApiError.bad(name.substring(2) + ": must be one non-empty line");
            args.add(name + "=" + v);
        });
    }

    private Object cancel(Context ctx) throws InterruptedException {
        Api.Found f = api.run(ctx.pathParam("run"));
        String id = f.state().runId();
        if (!api.runs.cancel(id)) {
            throw ApiError.conflict("run " + id + " is " + f.state().status().key() + " and not carried out by this daemon: "
                    + (f.state().status().finished() ? "nothing to cancel" : "Ctrl-C the terminal that runs it"));
        }
        return HttpTransport.JSON.createObjectNode().put("run_id", id).put("status", "cancelled");
    }

    private Object resume(Context ctx) {
        JsonNode body = Api.body(ctx);
        Api.Found f = api.run(ctx.pathParam("run"));
        String id = f.state().runId();
        if (api.runs.find(id).isPresent()) throw ApiError.conflict("run " + id + " is already running in this daemon");
        if (!Api.isGo(f.state())) throw ApiError.conflict("run " + id + " is an `exec` run: run it again instead");
        boolean unfinished = f.state().tasks().stream().anyMatch(t -> !t.status().finished()) || f.state().plan().isEmpty();
        if (f.state().status() == dev.ensemble.engine.run.RunStatus.DONE || !unfinished) {
            throw ApiError.conflict("run " + id + " has nothing left to do (" + f.state().status().key() + ")");
        }
        List<String> args = new ArrayList<>(List.of("resume", id));
        option(args, "--timeout", Api.text(body, "timeout"));
        if (Api.flag(body, "yes")) args.add("--yes");
        api.runs.start(f.repo(), id, "resume", args);
        ctx.status(202);
        return HttpTransport.JSON.createObjectNode().put("run_id", id).put("repo", DaemonState.repoId(f.repo())).put("status", "accepted");
    }

    private Object tasks(Context ctx) {
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        api.run(ctx.pathParam("run")).state().tasks().forEach(t -> out.add(Api.taskJson(t)));
        return out;
    }

    private Object attempts(Context ctx) {
        Api.Found f = api.run(ctx.pathParam("run"));
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (var row : new AgentRunLog(api.repositories.reader(f.repo()).store()).attempts(f.state().runId())) {
            ObjectNode n = out.addObject();
            row.forEach((k, v) -> n.putPOJO(k, v));
        }
        return out;
    }

    private Object events(Context ctx) {
        Api.Found f = api.run(ctx.pathParam("run"));
        long after = number(ctx.queryParam("after"), "after", 0, Long.MAX_VALUE, 0);
        int limit = (int) number(ctx.queryParam("limit"), "limit", 1, 1000, 200);
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (RunEvent e : api.repositories.reader(f.repo()).runEvents().log().after(after, Optional.of(f.state().runId()), limit)) {
            out.add(Api.event(e));
        }
        return out;
    }

    private Object transcripts(Context ctx) throws IOException {
        Api.Found f = api.run(ctx.pathParam("run"));
        Path dir = SessionTranscripts.forRepository(f.repo()).folder(f.state().runId());
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted()
                    .forEach(name -> out.addObject().put("file", name).put("bytes", size(dir.resolve(name))));
        }
        return out;
    }

    private Object transcript(Context ctx) throws IOException {
        Api.Found f = api.run(ctx.pathParam("run"));
        String name = Api.checkName("file", ctx.pathParam("file"));
        Path dir = SessionTranscripts.forRepository(f.repo()).folder(f.state().runId());
        Path file = dir.resolve(name).normalize();
        if (!file.getParent().equals(dir.normalize()) || !Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw ApiError.notFound("no transcript '" + name + "' in run " + f.state().runId());
        }
        if (Files.size(file) > TRANSCRIPT_LIMIT) throw ApiError.bad("transcript " + name + " is larger than 8 MiB: read it from " + file);
        return HttpTransport.JSON.createObjectNode().put("file", name).put("content",
                dev.ensemble.core.Redactor.global().redact(Files.readString(file)));
    }

    private Object report(Context ctx) throws IOException {
        Api.Found f = api.run(ctx.pathParam("run"));
        Path json = ReportWriter.forRepository(f.repo()).jsonPath(f.state().runId());
        if (!Files.isRegularFile(json)) throw ApiError.notFound("run " + f.state().runId() + " has no report yet (" + f.state().status().key() + ")");
        return HttpTransport.JSON.readTree(Files.readString(json));
    }

    private Object diff(Context ctx) {
        Api.Found f = api.run(ctx.pathParam("run"));
        String runId = f.state().runId();
        String task = ctx.queryParam("task");
        String branch;
        if (task == null || task.isBlank()) {
            branch = "ensemble/" + runId + "/_run";
        } else {
            Api.checkName("task", task);
            if (f.state().tasks().stream().noneMatch(t -> t.taskId().equals(task))) throw ApiError.notFound("no task '" + task + "' in run " + runId);
            branch = "ensemble/" + runId + "/" + task;
        }
        Git git = Git.in(f.repo());
        Git.Result head = git.exec("rev-parse", "--verify", "--quiet", "refs/heads/" + branch);
        if (!head.ok()) throw ApiError.notFound("no branch " + branch + " (the task has not started, or its branch was removed)");
        Git.Result base = git.exec("merge-base", "HEAD", "refs/heads/" + branch);
        if (!base.ok()) throw ApiError.notFound("branch " + branch + " shares no history with HEAD");
        Git.Result diff = git.exec("diff", "--no-ext-diff", "--no-textconv", "--no-color", base.out().strip(), head.out().strip());
        if (!diff.ok()) throw new ApiError(500, "git diff failed: " + Api.cut(diff.stderr()));
        return HttpTransport.JSON.createObjectNode().put("run_id", runId).put("branch", branch).put("base", base.out().strip())
                .put("diff", dev.ensemble.core.Redactor.global().redact(diff.out()));
    }

    private Object violations(Context ctx) {
        Api.Found f = api.run(ctx.pathParam("run"));
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (var v : new AgentRunLog(api.repositories.reader(f.repo()).store()).violations(f.state().runId())) {
            out.addObject().put("at", v.at().toString()).put("task_id", v.taskId()).put("agent", v.agent()).put("path", v.path())
                    .put("rule", v.rule()).put("detail", v.detail());
        }
        return out;
    }

    static long number(String text, String name, long min, long max, long fallback) {
        if (text == null || text.isBlank()) return fallback;
        try {
            long n = Long.parseLong(text.strip());
            if (n < min || n > max) throw ApiError.bad(name + ": must be within " + min + ".." + max);
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.bad(name + ": not a whole number: " + Api.cut(text));
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
