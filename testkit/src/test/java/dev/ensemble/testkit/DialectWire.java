package dev.ensemble.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Raw HTTP for dialect tests: what a client that knows nothing of ensemble would send and see. */
final class DialectWire {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private DialectWire() {}

    static HttpResponse<String> post(String url, String json) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        return ScriptedModelServer.JSON.readTree(text);
    }

    /** Each non-blank line parsed as JSON. */
    static List<JsonNode> ndjson(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) if (!line.isBlank()) out.add(json(line));
        return out;
    }

    /** One server-sent event: its event name and parsed data. */
    record Event(String name, JsonNode data) {}

    static List<Event> sse(String body) {
        List<Event> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) continue;
            String name = "";
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) name = line.substring(7);
                else if (line.startsWith("data: ")) data.append(line.substring(6));
            }
            out.add(new Event(name, json(data.toString())));
        }
        return out;
    }
}
