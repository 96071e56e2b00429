package dev.ensemble.cli.daemon;

import dev.ensemble.cli.AppContext;
import dev.ensemble.cli.Terminal;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The repositories that used this daemon, each with its own {@code .ensemble/} store. One kept
 * context per repository answers reads and records the daemon's own events; each run gets a
 * context of its own (its own terminal: the run's log). Every context publishes its events to the bus.
 */
final class Repositories implements AutoCloseable {
    private final Daemon.Contexts contexts;
    private final EventBus bus;
    private final Runnable changed;
    private final Set<Path> known = new LinkedHashSet<>();
    private final Map<Path, AppContext> readers = new ConcurrentHashMap<>();

    Repositories(Daemon.Contexts contexts, EventBus bus, List<Path> remembered, Runnable changed) {
        this.contexts = contexts;
        this.bus = bus;
        this.changed = changed;
        known.addAll(remembered);
    }

    static Terminal silent() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return new Terminal(nowhere, nowhere, false);
    }

    /** Remembers a repository (a git top level, absolute); 400 when it is not one. */
    Path register(String path) {
        if (path == null || path.isBlank()) throw ApiError.bad("repo: give the repository's absolute path");
        Path repo;
        try {
            repo = Path.of(path);
        } catch (RuntimeException e) {
            throw ApiError.bad("repo: not a path: " + path);
        }
        if (!repo.isAbsolute()) throw ApiError.bad("repo: must be an absolute path: " + path);
        repo = repo.normalize();
        if (!Files.exists(repo.resolve(".git"))) throw ApiError.bad("repo: not the top folder of a git repository: " + repo);
        boolean added;
        synchronized (known) {
            added = known.add(repo);
        }
        if (added) changed.run();
        return repo;
    }

    List<Path> all() {
        synchronized (known) {
            return new ArrayList<>(known);
        }
    }

    /** A known repository by its id or its path; 404 otherwise. */
    Path find(String idOrPath) {
        for (Path p : all()) {
            if (DaemonState.repoId(p).equals(idOrPath) || p.toString().equals(idOrPath)) return p;
        }
        throw ApiError.notFound("no repository '" + idOrPath + "' has used this daemon (see /api/repositories)");
    }

    /** The kept context of a repository, for reads and the daemon's own events. */
    AppContext reader(Path repo) {
        return readers.computeIfAbsent(repo, r -> open(silent(), r));
    }

    /** A new context in the repository, publishing its events to the bus. */
    AppContext open(Terminal terminal, Path repo) {
        AppContext app = contexts.open(terminal, repo);
        String id = DaemonState.repoId(repo);
        app.publishEventsTo(e -> bus.publish(id, e));
        return app;
    }

    @Override
    public void close() {
        readers.values().forEach(AppContext::close);
        readers.clear();
    }
}
