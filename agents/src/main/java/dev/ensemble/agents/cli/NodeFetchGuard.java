package dev.ensemble.agents.cli;

import dev.ensemble.agents.AgentEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a Node CLI's known vendor calls on the machine when the CLI has no setting that turns them
 * off: a script preloaded by {@code NODE_OPTIONS=--require} wraps {@code fetch} and refuses URLs on
 * the named domains before any connection is made, and notes each refused URL (origin and path, never
 * the query) in a log in the private home, from which {@link #blocked} makes transcript events.
 *
 * <p>The script removes {@code NODE_OPTIONS} from the CLI's own environment at once, so the commands
 * the agent runs (tests, builds) do not inherit it. It is a first line only: a call made another way
 * than {@code fetch} is left to the sandbox's network rule.
 */
final class NodeFetchGuard {
    static final String SCRIPT = "ensemble-offline.cjs";
    static final String LOG = "ensemble-blocked.log";

    private NodeFetchGuard() {}

    /** Writes the script into the home and returns the environment that preloads it. */
    static Map<String, String> install(PrivateHome home, List<String> domains) throws IOException {
        Path log = home.resolve(LOG);
        Path script = home.write(SCRIPT, script(domains, log));
        return Map.of("NODE_OPTIONS", "--require=" + script);
    }

    static String script(List<String> domains, Path log) {
        var json = JsonLineParser.JSON;
        return """
                'use strict';
                // Written by ensemble for one agent run: fetch() to these domains is refused before it leaves
                // the machine (the CLI has no setting that stops the call), and the refused URL is noted.
                const blocked = %s;
                const log = %s;
                delete process.env.NODE_OPTIONS; // the agent's own commands do not inherit this guard
                const original = globalThis.fetch;
                if (typeof original === 'function') {
                  globalThis.fetch = function fetch(input, init) {
                    let url = null;
                    try {
                      const text = typeof input === 'string' || input instanceof URL ? String(input) : input && input.url;
                      url = new URL(text);
                    } catch (e) { /* not a URL: the real fetch says so */ }
                    if (url && blocked.some((d) => url.hostname === d || url.hostname.endsWith('.' + d))) {
                      try { require('fs').appendFileSync(log, url.origin + url.pathname + '\\n'); } catch (e) { /* noted or not, refused */ }
                      return Promise.reject(new TypeError('fetch failed: ' + url.hostname + ' is blocked by ensemble (agents run offline)'));
                    }
                    return original.call(this, input, init);
                  };
                }
                """.formatted(json.writeValueAsString(domains), json.writeValueAsString(log.toString()));
    }

    /** One event per distinct URL the guard refused in this run; the log is emptied. */
    static List<AgentEvent> blocked(PrivateHome home, String agent, String why) {
        Path log = home.resolve(LOG);
        if (!Files.isRegularFile(log)) return List.of();
        try {
            Set<String> urls = new LinkedHashSet<>(Files.readAllLines(log, StandardCharsets.UTF_8));
            Files.deleteIfExists(log);
            return urls.stream().filter(u -> !u.isBlank())
                    .map(u -> (AgentEvent) new AgentEvent.Message(Instant.now(),
                            "ensemble blocked " + agent + "'s request to " + u + " (" + why + "; agents run offline)"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
