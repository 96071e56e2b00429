package dev.ensemble.cli.daemon;

import dev.ensemble.engine.event.EventLog;
import dev.ensemble.engine.event.RunEvent;
import dev.ensemble.llm.http.HttpTransport;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/events}: Server-Sent Events of every stored event of every repository (or one,
 * {@code ?repo=}; or one run, {@code ?run=}). Each repository's log has its own growing ids, so an
 * event's SSE id is the cursor of the whole stream after it: {@code <repo id>:<event id>} for each
 * repository, comma-separated. A client that reconnects with it as {@code Last-Event-ID} gets every
 * event after it from the logs, then the live ones, none twice: the stream subscribes to the bus
 * before it reads the logs, and sends a live event only when its id is beyond the cursor (a gap,
 * from a writer whose event reached the bus later than a newer one, is filled from the log).
 * Without a cursor the stream starts now, or with a run, at that run's latest {@code run.accepted}.
 * Runs carried out in a terminal (not by this daemon) append to the same logs without telling the
 * bus: a quiet stream reads the logs once a second, so their events arrive too, a second late at most.
 */
final class EventStream {
    private static final Pattern CURSOR = Pattern.compile("([0-9a-f]{12}:\\d{1,18})(,[0-9a-f]{12}:\\d{1,18})*");
    private static final long KEEPALIVE_SECONDS = 10;
    /** How long the stream waits for this daemon's own events before it reads the logs for other writers'. */
    private static final long POLL_MILLIS = 1_000;
    private static final int PAGE = 500;

    /** What a stream of one run ends with when the run is not (or no longer) carried out here. */
    record Idle(String status, int exit) {}

    private final Repositories repositories;
    private final EventBus bus;
    private final Function<String, Optional<Idle>> idleRun;

    EventStream(Repositories repositories, EventBus bus, Function<String, Optional<Idle>> idleRun) {
        this.repositories = repositories;
        this.bus = bus;
        this.idleRun = idleRun;
    }

    static Map<String, Long> parseCursor(String text) {
        Map<String, Long> cursor = new LinkedHashMap<>();
        if (text == null || text.isBlank()) return cursor;
        if (!CURSOR.matcher(text.strip()).matches()) {
            throw ApiError.bad("Last-Event-ID: not a cursor of this daemon (repo:id pairs, comma-separated): " + cut(text));
        }
        for (String pair : text.strip().split(",")) {
            int colon = pair.indexOf(':');
            cursor.put(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)));
        }
        return cursor;
    }

    void serve(Context ctx) throws IOException, InterruptedException {
        String cursorText = Optional.ofNullable(ctx.header("Last-Event-ID")).orElse(ctx.queryParam("after"));
        Map<String, Long> cursor = parseCursor(cursorText);
        boolean resumed = cursorText != null && !cursorText.isBlank();
        Optional<String> run = Optional.ofNullable(ctx.queryParam("run")).filter(s -> !s.isBlank());
        run.ifPresent(Api::checkRunId);
        List<Path> repos = Optional.ofNullable(ctx.queryParam("repo")).filter(s -> !s.isBlank())
                .map(r -> List.of(repositories.find(r))).orElseGet(repositories::all);
        Map<String, Path> byId = new LinkedHashMap<>();
        repos.forEach(r -> byId.put(DaemonState.repoId(r), r));
        boolean allRepos = ctx.queryParam("repo") == null || ctx.queryParam("repo").isBlank();

        LinkedBlockingQueue<EventBus.Published> live = new LinkedBlockingQueue<>();
        try (AutoCloseable subscription = bus.subscribe(live::add)) {
            for (Map.Entry<String, Path> e : byId.entrySet()) {
                // Without a cursor: from now, or from the run's latest hand-over to a daemon (a resumed
                // run's earlier executions ended before it, with their own run.ended).
                if (cursor.containsKey(e.getKey())) continue;
                long from = resumed ? 0L : run.isPresent()
                        ? log(e.getValue()).latest(run.get(), RunEvent.RUN_ACCEPTED).map(id -> id - 1).orElse(0L)
                        : log(e.getValue()).lastId();
                cursor.put(e.getKey(), from);
            }
            ctx.res().setStatus(200);
            ctx.res().setContentType("text/event-stream");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            out.write(": ensemble events\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (Map.Entry<String, Path> e : byId.entrySet()) {
                if (catchUp(out, e.getKey(), e.getValue(), cursor, run)) return;
            }
            if (run.isPresent() && endIfIdle(out, run.get())) return;
            long quietSince = System.nanoTime();
            while (true) {
                EventBus.Published p = live.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (p == null) {
                    // Runs started in a terminal write to the same logs but not to this daemon's bus: read them from the logs.
                    for (Map.Entry<String, Path> e : byId.entrySet()) {
                        if (catchUp(out, e.getKey(), e.getValue(), cursor, run)) return;
                    }
                    if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(KEEPALIVE_SECONDS)) {
                        out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        quietSince = System.nanoTime();
                    }
                    continue;
                }
                quietSince = System.nanoTime();
                Path repo = byId.get(p.repoId());
                if (repo == null) {
                    if (!allRepos) continue;
                    // A repository that first used the daemon after this stream began: all its events are new.
                    try {
                        repo = repositories.find(p.repoId());
                    } catch (ApiError notKnown) {
                        continue;
                    }
                    byId.put(p.repoId(), repo);
                    cursor.putIfAbsent(p.repoId(), 0L);
                }
                RunEvent ev = p.event();
                long last = cursor.getOrDefault(p.repoId(), 0L);
                if (ev.id() <= last) continue;
                if (run.isPresent() && !run.get().equals(ev.runId())) continue;
                boolean ended;
                if (ev.id() == last + 1) {
                    cursor.put(p.repoId(), ev.id());
                    send(out, p.repoId(), ev, cursor);
                    ended = run.isPresent() && ev.kind().equals(RunEvent.RUN_ENDED);
                } else {
                    ended = catchUp(out, p.repoId(), repo, cursor, run);
                }
                if (ended) return;
            }
        } catch (IOException gone) {
            // The client went away.
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) throw ie;
            if (e instanceof ApiError a) throw a;
            throw new IOException(e);
        }
    }

    /** Sends what the log holds after the cursor; true when a followed run's end was among it. */
    private boolean catchUp(OutputStream out, String repoId, Path repo, Map<String, Long> cursor, Optional<String> run) throws IOException {
        EventLog log = log(repo);
        while (true) {
            List<RunEvent> page = log.after(cursor.get(repoId), run, PAGE);
            for (RunEvent ev : page) {
                cursor.put(repoId, ev.id());
                send(out, repoId, ev, cursor);
                if (run.isPresent() && ev.kind().equals(RunEvent.RUN_ENDED)) return true;
            }
            if (page.size() < PAGE) return false;
        }
    }

    /** A followed run that this daemon does not carry out ends the stream with one {@code run.idle} event (no id). */
    private boolean endIfIdle(OutputStream out, String runId) throws IOException {
        Optional<Idle> idle = idleRun.apply(runId);
        if (idle.isEmpty()) return false;
        ObjectNode data = HttpTransport.JSON.createObjectNode().put("run_id", runId).put("status", idle.get().status())
                .put("exit", idle.get().exit());
        out.write(("event: run.idle\ndata: " + HttpTransport.JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
    }

    private void send(OutputStream out, String repoId, RunEvent ev, Map<String, Long> cursor) throws IOException {
        StringBuilder id = new StringBuilder();
        cursor.forEach((repo, last) -> {
            if (id.length() > 0) id.append(',');
            id.append(repo).append(':').append(last);
        });
        ObjectNode data = Api.event(ev).put("repo", repoId);
        String frame = "id: " + id + "\nevent: " + ev.kind() + "\ndata: " + HttpTransport.JSON.writeValueAsString(data) + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private EventLog log(Path repo) {
        return repositories.reader(repo).runEvents().log();
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
