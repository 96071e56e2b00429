package dev.ensemble.cli.daemon;

import dev.ensemble.core.Redactor;
import dev.ensemble.engine.run.RunState;
import dev.ensemble.gateway.GatewayOptions;
import dev.ensemble.gateway.GatewayServer;
import dev.ensemble.gateway.OperatorToken;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ensemble serve}: one server (Javalin on virtual threads) with the JSON API under
 * {@code /api}, its event stream, and the gateway's routes mounted beside them on the same port.
 * Every request needs the daemon's token; the gateway's routes ask their own gatekeepers, which
 * take the same token as the operator's key. On start it resumes the runs it had in flight.
 */
public final class Daemon implements AutoCloseable {
    /** Makes the context a command would have in {@code repo}, writing to {@code terminal}. */
    @FunctionalInterface
    public interface Contexts {
        dev.ensemble.cli.AppContext open(dev.ensemble.cli.Terminal terminal, Path repo);
    }

    /** Everything a daemon is made from. {@code gateway}: the gateway's options (its address is ignored), or none. */
    public record Options(String host, int port, String token, Path stateDir, Path home, Contexts contexts,
                          Optional<GatewayOptions> gateway, String version) {}

    private final Options options;
    private final DaemonState state;
    private final FileChannel lock;
    private final EventBus bus = new EventBus();
    private final Repositories repositories;
    private final DetachedRuns runs;
    private final OperatorToken token;
    private final Javalin server;
    private final List<Route> routes;
    private AutoCloseable gatewayMount = () -> {};
    private volatile List<DaemonState.Active> frozen;
    private volatile boolean started;

    private Daemon(Options options, DaemonState state, FileChannel lock, List<Path> remembered) {
        this.options = options;
        this.state = state;
        this.lock = lock;
        this.token = new OperatorToken(options.token());
        this.repositories = new Repositories(options.contexts(), bus, remembered, this::save);
        this.runs = new DetachedRuns(repositories, this::save);
        Api api = new Api(repositories, runs, options.home());
        EventStream stream = new EventStream(repositories, bus, runId -> idle(api, runId));
        List<Route> all = new ArrayList<>();
        List<Route> described = all;  // the document lists every route, itself included
        all.add(Route.get("/api/daemon", "This daemon: version, pid, address, runs in flight", ctx -> status()));
        all.add(Route.get("/api/openapi.json", "This document", ctx -> OpenApi.document(described, options.version())));
        all.add(Route.get("/api/events", "Server-Sent Events of every run's events; resumable with Last-Event-ID",
                ctx -> {
                    stream.serve(ctx);
                    return null;
                }, "repo: a repository id or path", "run: one run's events, from its start", "after: a cursor, as Last-Event-ID"));
        all.addAll(new RunRoutes(api).routes());
        all.addAll(new ViewRoutes(api).routes());
        all.addAll(new ApprovalRoutes(api).routes());
        this.routes = List.copyOf(all);
        Security security = new Security(token, options.host());
        this.server = Javalin.create(config -> {
            GatewayServer.serverSettings(config);
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.routes.before(security::check);
            options.gateway().ifPresent(g -> gatewayMount = GatewayServer.mount(config, g));
            for (Route r : routes) config.routes.addHttpHandler(HandlerType.findOrCreate(r.method()), r.path(), ctx -> answer(ctx, r));
            for (HandlerType t : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH)) {
                config.routes.addHttpHandler(t, "/api/*", ctx -> {
                    throw ApiError.notFound("no such API route: " + t + " " + ctx.path() + " (see /api/openapi.json)");
                });
            }
            config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        });
    }

    /**
     * Starts the daemon and returns once it listens, after the runs it had in flight were handed
     * back to their threads. Empty when another daemon of this user holds the lock.
     */
    public static Optional<Daemon> start(Options options) throws IOException {
        DaemonState state = new DaemonState(options.stateDir());
        Optional<FileChannel> lock = state.lock();
        if (lock.isEmpty()) return Optional.empty();
        Optional<DaemonState.Snapshot> before = state.read();
        Daemon daemon = new Daemon(options, state, lock.get(), before.map(DaemonState.Snapshot::repositories).orElse(List.of()));
        try {
            daemon.server.start();
            daemon.started = true;
            daemon.save();
            before.ifPresent(daemon::resumeInFlight);
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        return Optional.of(daemon);
    }

    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        if (host.equals("0.0.0.0") || host.equals("[::]")) host = "127.0.0.1";
        return "http://" + host + ":" + server.port();
    }

    public int port() {
        return server.port();
    }

    /** The runs the previous daemon had in flight when it stopped (SIGTERM or kill -9), resumed as `ensemble resume --yes` would. */
    private void resumeInFlight(DaemonState.Snapshot before) {
        for (DaemonState.Active a : before.active()) {
            try {
                Optional<RunState> run = new Api(repositories, runs, options.home()).store(a.repo()).find(a.runId());
                if (run.isEmpty() || run.get().status().finished()) continue;
                // --yes: its forecast was approved when it was handed to the daemon.
                runs.start(a.repo(), a.runId(), "resume", List.of("resume", a.runId(), "--yes"));
            } catch (RuntimeException e) {
                // A repository that is gone: nothing to resume there.
            }
        }
    }

    private Object status() {
        var n = HttpTransport.JSON.createObjectNode().put("version", options.version()).put("pid", ProcessHandle.current().pid())
                .put("url", url()).put("gateway", options.gateway().isPresent());
        var active = n.putArray("active");
        runs.active().forEach(a -> active.addObject().put("run_id", a.runId()).put("repo", DaemonState.repoId(a.repo())));
        return n;
    }

    private Optional<EventStream.Idle> idle(Api api, String runId) {
        if (runs.find(runId).isPresent()) return Optional.empty();
        Api.Found f = api.run(runId);
        return Optional.of(new EventStream.Idle(f.state().status().key(), Api.exitOf(f.state())));
    }

    private void answer(Context ctx, Route route) {
        try {
            Object result = route.handler().handle(ctx);
            if (result == null) return;  // streamed
            String json = result instanceof String s ? s : HttpTransport.JSON.writeValueAsString(result);
            ctx.contentType("application/json").result(Redactor.global().redact(json));
        } catch (ApiError e) {
            error(ctx, e.status, e.getMessage());
        } catch (java.util.NoSuchElementException e) {
            error(ctx, 404, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ctx, 503, "the daemon is stopping");
        } catch (Exception e) {
            error(ctx, 500, "daemon error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(HttpTransport.JSON.writeValueAsString(
                HttpTransport.JSON.createObjectNode().put("error", Redactor.global().redact(String.valueOf(message)))));
    }

    private synchronized void save() {
        if (!started) return;
        List<DaemonState.Active> active = frozen != null ? frozen : runs.active();
        try {
            state.write(new DaemonState.Snapshot(ProcessHandle.current().pid(), url(), options.token(), repositories.all(), active));
        } catch (IOException e) {
            // The state file is a convenience for clients and the next start; the daemon goes on.
        }
    }

    /**
     * Stops cleanly (SIGTERM): runs are interrupted where they stand, which the store already holds
     * as their checkpoint, and stay listed as in flight for the next start; then the server stops.
     */
    @Override
    public void close() {
        frozen = runs.active();
        runs.stopAll();
        save();
        try {
            server.stop();
        } catch (RuntimeException e) {
            // Stopping anyway.
        }
        try {
            gatewayMount.close();
        } catch (Exception e) {
            // The gateway's client pool; the process is ending.
        }
        repositories.close();
        try {
            lock.close();
        } catch (IOException e) {
            // Released with the process.
        }
    }
}
