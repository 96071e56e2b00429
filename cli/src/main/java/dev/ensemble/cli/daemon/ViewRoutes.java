package dev.ensemble.cli.daemon;

import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;

/**
 * The views that commands already print with {@code --json} (usage, budgets, models, agents, memory
 * notes), answered by running that command in the repository, and the repositories themselves.
 */
final class ViewRoutes {
    private static final Pattern WORD = Pattern.compile("[a-z][a-z_-]{0,31}");
    private static final Pattern SINCE = Pattern.compile("[0-9A-Za-z:.+-]{1,40}");

    private final Api api;

    ViewRoutes(Api api) {
        this.api = api;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/api/repositories", "The repositories that used this daemon", this::repositories),
                Route.get("/api/usage", "The usage ledger, summed (as `ensemble usage --json`)", this::usage,
                        "repo: a repository id or path", "by: model, day, command, key, wire …", "since: 30m, 24h, 7d, a date"),
                Route.get("/api/budgets", "Budgets, today's spending and what is left (as `ensemble budget --json`)",
                        ctx -> api.command(api.repoOrHome(ctx), "budget", "--json"), "repo: a repository id or path"),
                Route.get("/api/models", "The catalog with prices, scores and availability (as `ensemble models --json`)",
                        ctx -> api.command(api.repoOrHome(ctx), "models", "--json"), "repo: a repository id or path"),
                Route.get("/api/agents", "The coding agents found here (as `ensemble agents --json`)",
                        ctx -> api.command(api.repoOrHome(ctx), "agents", "--json"), "repo: a repository id or path"),
                Route.get("/api/memory", "Shared notes, newest first, or those matching q", this::memory,
                        "repo: a repository id or path", "q: words to look for", "run: only this run's notes"));
    }

    private Object repositories(Context ctx) {
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (Path repo : api.repositories.all()) {
            out.addObject().put("id", DaemonState.repoId(repo)).put("path", repo.toString()).put("name", String.valueOf(repo.getFileName()));
        }
        return out;
    }

    private Object usage(Context ctx) {
        List<String> args = new ArrayList<>(List.of("usage", "--json"));
        String by = ctx.queryParam("by");
        if (by != null) {
            if (!WORD.matcher(by).matches()) throw ApiError.bad("by: not a grouping: " + Api.cut(by));
            args.add("--by=" + by);
        }
        String since = ctx.queryParam("since");
        if (since != null) {
            if (!SINCE.matcher(since).matches()) throw ApiError.bad("since: not a time: " + Api.cut(since));
            args.add("--since=" + since);
        }
        return api.command(api.repoOrHome(ctx), args.toArray(String[]::new));
    }

    private Object memory(Context ctx) {
        Path repo = api.repoOrHome(ctx);
        String q = ctx.queryParam("q");
        String run = ctx.queryParam("run");
        if (q != null && !q.isBlank()) {
            if (q.length() > 500) throw ApiError.bad("q: at most 500 characters");
            return api.command(repo, "memory", "search", "--json", "--limit=50", "--", q);
        }
        if (run != null) return api.command(repo, "memory", "list", "--json", "--limit=200", "--run=" + Api.checkRunId(run));
        return api.command(repo, "memory", "list", "--json", "--limit=200");
    }
}
