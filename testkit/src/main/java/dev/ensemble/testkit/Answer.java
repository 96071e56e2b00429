package dev.ensemble.testkit;

import java.util.List;

/**
 * A rendered response: status, content type and the body as chunks. A plain answer is one chunk;
 * a streamed answer is one chunk per event, each written and flushed on its own so that the client
 * sees them arrive one by one.
 */
public record Answer(int status, String contentType, List<String> chunks) {
    public Answer {
        chunks = List.copyOf(chunks);
    }

    public static Answer json(String body) {
        return new Answer(200, "application/json", List.of(body));
    }
}
