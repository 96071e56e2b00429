package dev.ensemble.cli.daemon;

import dev.ensemble.engine.event.RunEvent;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The daemon's in-process bus: every event of every repository, after it is stored. Subscribers must be quick. */
final class EventBus {
    /** An event and the repository (by id) whose log holds it. */
    record Published(String repoId, RunEvent event) {}

    private final CopyOnWriteArrayList<Consumer<Published>> subscribers = new CopyOnWriteArrayList<>();

    AutoCloseable subscribe(Consumer<Published> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    void publish(String repoId, RunEvent event) {
        Published p = new Published(repoId, event);
        for (Consumer<Published> s : subscribers) s.accept(p);
    }
}
