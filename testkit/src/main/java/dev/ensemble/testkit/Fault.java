package dev.ensemble.testkit;

import java.time.Duration;

/** A failure the scripted server injects instead of (or in the middle of) an answer. */
public sealed interface Fault {

    /** HTTP 429 with a Retry-After header in whole seconds. */
    record RateLimited(int retryAfterSeconds) implements Fault {}

    /** An HTTP error status (500, 503, 529, 400, 401 ...) with a provider-shaped error body. */
    record HttpError(int status) implements Fault {}

    /** The connection is closed before any byte of a response is sent. */
    record Reset() implements Fault {}

    /** Nothing is sent for {@code duration}, then the answer follows as usual. */
    record Stall(Duration duration) implements Fault {}

    /** A streamed answer pauses for {@code duration} after {@code afterChunks} chunks, then goes on. */
    record StallMidStream(int afterChunks, Duration duration) implements Fault {}

    /** A streamed answer stops after {@code afterChunks} chunks: the connection is dropped. */
    record Cut(int afterChunks) implements Fault {}

    /** The body (or, streamed, one chunk in the middle) is not valid JSON. */
    record Malformed() implements Fault {}
}
