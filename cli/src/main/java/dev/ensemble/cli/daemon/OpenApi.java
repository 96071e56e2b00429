package dev.ensemble.cli.daemon;

import dev.ensemble.llm.http.HttpTransport;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/** The OpenAPI 3.1 document of the daemon's API, made from the route table the server registers. */
final class OpenApi {
    private OpenApi() {}

    static ObjectNode document(List<Route> routes, String version) {
        ObjectNode doc = HttpTransport.JSON.createObjectNode().put("openapi", "3.1.0");
        doc.putObject("info").put("title", "ensemble daemon API").put("version", version)
                .put("description", "Runs, tasks, events and the views' data of every repository that used this daemon. "
                        + "Every request needs the daemon's token (Authorization: Bearer, or X-Ensemble-Token); errors are {\"error\": \"...\"}.");
        doc.putObject("components").putObject("securitySchemes").putObject("token").put("type", "http").put("scheme", "bearer");
        doc.putArray("security").addObject().putArray("token");
        ObjectNode paths = doc.putObject("paths");
        for (Route r : routes) {
            ObjectNode op = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode m = op.putObject(r.method().toLowerCase(Locale.ROOT)).put("summary", r.summary());
            var params = m.putArray("parameters");
            for (String p : r.pathParams()) {
                params.addObject().put("name", p).put("in", "path").put("required", true).putObject("schema").put("type", "string");
            }
            for (String q : r.query()) {
                int colon = q.indexOf(':');
                params.addObject().put("name", q.substring(0, colon).strip()).put("in", "query").put("required", false)
                        .put("description", q.substring(colon + 1).strip()).putObject("schema").put("type", "string");
            }
            if (!r.body().isEmpty()) {
                ObjectNode schema = m.putObject("requestBody").put("required", true).putObject("content")
                        .putObject("application/json").putObject("schema").put("type", "object");
                ObjectNode props = schema.putObject("properties");
                var required = schema.putArray("required");
                for (String b : r.body()) {
                    int colon = b.indexOf(':');
                    String name = b.substring(0, colon).strip();
                    if (name.endsWith("*")) {
                        name = name.substring(0, name.length() - 1);
                        required.add(name);
                    }
                    props.putObject(name).put("description", b.substring(colon + 1).strip());
                }
            }
            ObjectNode responses = m.putObject("responses");
            responses.putObject("200").put("description", "OK (JSON)");
            responses.putObject("400").put("description", "bad input: {\"error\": \"...\"}");
            responses.putObject("401").put("description", "no or wrong token");
            responses.putObject("404").put("description", "unknown repository, run, task or file");
        }
        return doc;
    }
}
