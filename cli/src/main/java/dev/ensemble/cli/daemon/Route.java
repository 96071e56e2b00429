package dev.ensemble.cli.daemon;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One API route: what it serves and how it is described. The server registers the routes from
 * the same list that {@link OpenApi} describes, so the document cannot drift from what is served;
 * a group of routes (approvals, later) is one more list.
 *
 * @param query the query parameters it reads, each "name: what it means"
 * @param body  for a POST, the JSON fields it reads, each "name: what it means" ("name*" when required)
 */
record Route(String method, String path, String summary, List<String> query, List<String> body, Handler handler) {
    /** Answers with the JSON to send (200), or throws {@link ApiError}. */
    @FunctionalInterface
    interface Handler {
        Object handle(Context ctx) throws Exception;
    }

    static Route get(String path, String summary, Handler handler, String... query) {
        return new Route("GET", path, summary, List.of(query), List.of(), handler);
    }

    static Route post(String path, String summary, Handler handler, String... body) {
        return new Route("POST", path, summary, List.of(), List.of(body), handler);
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    /** The path parameters, in order ({@code {run}} in {@code /api/runs/{run}}). */
    List<String> pathParams() {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(path);
        while (m.find()) names.add(m.group(1));
        return names;
    }
}
