package dev.ensemble.cli.daemon;

import dev.ensemble.cli.AppContext;
import dev.ensemble.engine.approval.Answerer;
import dev.ensemble.engine.approval.Approval;
import dev.ensemble.engine.approval.ApprovalFilter;
import dev.ensemble.engine.approval.ApprovalJson;
import dev.ensemble.engine.approval.ApprovalState;
import dev.ensemble.engine.approval.Decided;
import dev.ensemble.engine.approval.Decision;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;

/**
 * Approvals over the API: what waits for a yes or no in every repository of the daemon, and the
 * answer. The store decides who was first ({@code Approvals.decide}), so an answer from here races
 * fairly with the terminal, {@code ensemble approve} and (later) Telegram: 409 for the loser.
 */
final class ApprovalRoutes {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Api api;

    ApprovalRoutes(Api api) {
        this.api = api;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/api/approvals", "Approvals, newest first: pending ones and what was decided, by whom and when", this::list,
                        "repo: a repository id or path", "state: pending, approved, rejected or expired", "run: one run's approvals"),
                Route.post("/api/approvals/{id}/approve", "Approve a pending approval (409 when someone answered first)",
                        ctx -> decide(ctx, Decision.APPROVE), "reason: why, kept with the decision"),
                Route.post("/api/approvals/{id}/reject", "Reject a pending approval (409 when someone answered first)",
                        ctx -> decide(ctx, Decision.REJECT), "reason: why, kept with the decision"));
    }

    private Object list(Context ctx) {
        ApprovalFilter filter = ApprovalFilter.all();
        String state = ctx.queryParam("state");
        if (state != null) {
            try {
                filter = filter.withState(ApprovalState.fromKey(state));
            } catch (IllegalArgumentException e) {
                throw ApiError.bad("state: one of pending, approved, rejected, expired, not " + Api.cut(state));
            }
        }
        String run = ctx.queryParam("run");
        if (run != null) filter = filter.withRun(Api.checkRunId(run));
        ArrayNode out = HttpTransport.JSON.createArrayNode();
        for (Path repo : ctx.queryParam("repo") == null ? candidates() : api.repos(ctx)) {
            AppContext app = api.repositories.reader(repo);
            if (!app.storeExists()) continue;
            for (Approval a : app.approvals().list(filter)) {
                out.add(ApprovalJson.write(a).put("repo_id", DaemonState.repoId(repo)));
            }
        }
        return out;
    }

    /** Every repository of the daemon, and the one it was started in (a terminal `go` there can wait on an answer from here). */
    private List<Path> candidates() {
        List<Path> all = new java.util.ArrayList<>(api.repositories.all());
        if (!all.contains(api.home) && java.nio.file.Files.isDirectory(api.home.resolve(".git"))) all.add(api.home);
        return all;
    }

    private Object decide(Context ctx, Decision decision) {
        String id = ctx.pathParam("id");
        if (!ID.matcher(id).matches()) throw ApiError.bad("id: not an approval id: " + Api.cut(id));
        String reason = ctx.body().isBlank() ? "" : Api.text(Api.body(ctx), "reason").orElse("");
        if (reason.length() > 500) throw ApiError.bad("reason: at most 500 characters");
        for (Path repo : candidates()) {
            AppContext app = api.repositories.reader(repo);
            if (!app.storeExists()) continue;
            Optional<Approval> found = app.approvals().find(id);
            if (found.isEmpty()) continue;
            return switch (app.approvals().decide(id, decision, Answerer.API, reason)) {
                case Decided.Taken t -> ApprovalJson.write(t.approval()).put("repo_id", DaemonState.repoId(repo));
                case Decided.Refused r -> throw ApiError.conflict(r.reason());
                case Decided.NotFound n -> throw ApiError.notFound(n.reason());
            };
        }
        throw ApiError.notFound("no approval " + id + " in any repository of this daemon (see /api/approvals)");
    }
}
