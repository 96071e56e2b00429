package dev.ensemble.cli.daemon;

import dev.ensemble.gateway.BindPolicy;
import dev.ensemble.gateway.OperatorToken;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Asked before every request but the gateway's (which asks its own gatekeepers, the same token
 * among them). A state-changing request from another origin (a web page the user has open) is
 * refused before anything else; then every request needs the daemon's token, loopback or not:
 * any local process of any user can reach a loopback port, and a token in a 0600 file is what
 * keeps another user (or a page that rebinds a name to 127.0.0.1) from starting runs in your repositories.
 */
final class Security {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    public static final String HEADER = "X-Ensemble-Token";

    private final OperatorToken token;
    private final String host;

    Security(OperatorToken token, String host) {
        this.token = token;
        this.host = host;
    }

    void check(Context ctx) {
        if (!hostAllowed(ctx.header("Host"))) {
            // A page whose name was rebound to 127.0.0.1 sends its own name: refused before anything else.
            throw new ApiError(421, "this daemon answers only to " + String.join(", ", allowedHosts()) + " as Host");
        }
        String path = ctx.path();
        if (path.startsWith("/v1/") || path.startsWith("/v1beta/") || path.equals("/metrics")) return;
        String method = ctx.method().name().toUpperCase(Locale.ROOT);
        if (!SAFE.contains(method)) {
            String origin = ctx.header("Origin");
            String site = ctx.header("Sec-Fetch-Site");
            if ((origin != null && !sameOrigin(ctx, origin)) || (site != null && !site.equals("same-origin") && !site.equals("none"))) {
                throw new ApiError(403, "cross-origin request refused");
            }
        }
        Optional<String> presented = Optional.ofNullable(ctx.header(HEADER)).or(() -> bearer(ctx.header("Authorization")));
        if (token.authenticate(presented).isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, presented.isEmpty()
                    ? "this daemon needs its token: send it as Authorization: Bearer, or " + HEADER + " (the CLI reads it from the daemon's state file)"
                    : "wrong token");
        }
    }

    /**
     * On a loopback bind, only the loopback names (or the bind address itself) are accepted as the
     * Host: DNS rebinding makes a hostile page same-origin with 127.0.0.1 under its own name, and
     * this is what tells the two apart. Other binds serve whatever name the network gives them.
     */
    boolean hostAllowed(String hostHeader) {
        if (!BindPolicy.loopback(host)) return true;
        if (hostHeader == null || hostHeader.isBlank()) return false;
        return allowedHosts().contains(hostName(hostHeader.strip().toLowerCase(Locale.ROOT)));
    }

    private Set<String> allowedHosts() {
        String bound = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        Set<String> hosts = new java.util.LinkedHashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        hosts.add(bound.toLowerCase(Locale.ROOT));
        return hosts;
    }

    /** The name of a Host header without its port: {@code [::1]:7878} is {@code [::1]}, {@code localhost:7878} is {@code localhost}. */
    static String hostName(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end < 0 ? hostHeader : hostHeader.substring(0, end + 1);
        }
        int colon = hostHeader.indexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }

    private static boolean sameOrigin(Context ctx, String origin) {
        String hostHeader = ctx.header("Host");
        return hostHeader != null && (origin.equals("http://" + hostHeader) || origin.equals("https://" + hostHeader));
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null) return Optional.empty();
        String a = authorization.strip();
        return a.regionMatches(true, 0, "Bearer ", 0, 7) ? Optional.of(a.substring(7).strip()) : Optional.empty();
    }
}
