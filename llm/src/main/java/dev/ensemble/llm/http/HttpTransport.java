package dev.ensemble.llm.http;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.Timeouts;
import dev.ensemble.llm.ModelException;
import dev.ensemble.llm.ModelException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP layer every provider shares: JSON in, JSON or a stream of events out, with the four
 * timeouts enforced here rather than in each provider. Streams are read through our own
 * subscriber so that a silent server is noticed (idle timeout) and the connection is cancelled,
 * which a blocked {@code InputStream.read()} would not allow.
 */
public final class HttpTransport {
    public static final ObjectMapper JSON = JsonMapper.builder().build();


    private final HttpClient client;
    private final Timeouts timeouts;
    private final String who;

    /**
     * @param who names the model in error messages ("openai/gpt-5")
     */
    public HttpTransport(HttpClient client, Timeouts timeouts, String who) {
        this.client = client;
        this.timeouts = timeouts;
        this.who = who;
    }

    /** One HTTP/1.1 client per connect timeout is enough; its threads are virtual. */
    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /** POSTs JSON and returns the parsed JSON answer; any non-2xx status becomes a {@link ModelException}. */
    public JsonNode postJson(URI uri, Map<String, String> headers, JsonNode body) {
        HttpRequest request = request(uri, headers, body, "application/json");
        HttpResponse<byte[]> response = await(uri, client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()),
                timeouts.total(), "no answer within the total timeout of " + seconds(timeouts.total()));
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw HttpErrors.fromStatus(who, response.statusCode(), text, response.headers().firstValue("retry-after"));
        }
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new ModelException(Kind.MALFORMED_RESPONSE, who + ": answer is not valid JSON: "
                    + Redactor.global().redact(e.getOriginalMessage()));
        }
    }

    /**
     * POSTs JSON and delivers each Server-Sent Event to {@code onEvent} as it arrives. Returns when
     * the server ends the stream; the caller decides whether the protocol's final event was seen.
     */
    public void postSse(URI uri, Map<String, String> headers, JsonNode body, Consumer<SseEvent> onEvent) {
        SseParser parser = new SseParser(onEvent);
        stream(uri, headers, body, "text/event-stream", parser::line);
        parser.finish();
    }

    /** POSTs JSON and delivers each non-empty line of a newline-delimited JSON stream (Ollama). */
    public void postNdjson(URI uri, Map<String, String> headers, JsonNode body, Consumer<String> onLine) {
        stream(uri, headers, body, "application/x-ndjson", line -> {
            if (!line.isBlank()) onLine.accept(line);
        });
    }

    private void stream(URI uri, Map<String, String> headers, JsonNode body, String accept, Consumer<String> onLine) {
        long start = System.nanoTime();
        long totalDeadline = start + timeouts.total().toNanos();
        HttpRequest request = request(uri, headers, body, accept);
        // ofPublisher completes on the headers; fromSubscriber would wait for the whole body.
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = await(uri,
                client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher()),
                min(timeouts.firstToken(), timeouts.total()),
                "no answer within the first-token timeout of " + seconds(timeouts.firstToken()));
        ChunkQueue chunks = new ChunkQueue();
        response.body().subscribe(chunks);
        if (response.statusCode() / 100 != 2) {
            String errorBody = chunks.drainToString(Duration.ofSeconds(5));
            throw HttpErrors.fromStatus(who, response.statusCode(), errorBody, response.headers().firstValue("retry-after"));
        }
        LineSplitter lines = new LineSplitter(onLine);
        boolean first = true;
        while (true) {
            long now = System.nanoTime();
            if (now >= totalDeadline) {
                chunks.cancel();
                throw new ModelException(Kind.TIMEOUT, who + ": stream exceeded the total timeout of " + seconds(timeouts.total()));
            }
            Duration wait = first ? timeouts.firstToken() : timeouts.idle();
            long waitNanos = Math.min(wait.toNanos(), totalDeadline - now);
            Object item = chunks.poll(waitNanos);
            if (item == null) {
                chunks.cancel();
                String which = first ? "first-token timeout of " + seconds(timeouts.firstToken())
                        : "idle timeout of " + seconds(timeouts.idle());
                if (System.nanoTime() >= totalDeadline) which = "total timeout of " + seconds(timeouts.total());
                throw new ModelException(Kind.TIMEOUT, who + ": stream silent past the " + which);
            }
            if (item == ChunkQueue.END) {
                lines.finish();
                return;
            }
            if (item instanceof Throwable failure) {
                throw new ModelException(Kind.STREAM_CUT, who + ": stream broke off: " + describe(failure), failure);
            }
            first = false;
            for (ByteBuffer buffer : castBuffers(item)) lines.accept(buffer);
            chunks.requestMore();
        }
    }

    private HttpRequest request(URI uri, Map<String, String> headers, JsonNode body, String accept) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeouts.total())
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        headers.forEach(builder::header);
        return builder.build();
    }

    private <T> HttpResponse<T> await(URI uri, CompletableFuture<HttpResponse<T>> future, Duration limit, String timeoutMessage) {
        try {
            return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ModelException(Kind.TIMEOUT, who + ": " + timeoutMessage);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ModelException(Kind.INTERRUPTED, who + ": interrupted");
        } catch (CancellationException e) {
            throw new ModelException(Kind.INTERRUPTED, who + ": cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new ModelException(Kind.TIMEOUT, who + ": " + Redactor.global().redact(String.valueOf(cause.getMessage())), cause);
            }
            if (cause instanceof ConnectException) {
                // Refused, or no such host: nothing listens there, and half a second later nothing will
                // either. Not retried, so a stopped local server costs one quick attempt, not a backoff.
                throw new ModelException(Kind.UNREACHABLE, who + ": not answering at " + origin(uri) + " ("
                        + (unresolved(cause) ? "host not found" : "connection refused") + ")", cause);
            }
            throw new ModelException(Kind.CONNECTION, who + ": " + describe(cause), cause);
        }
    }

    /** scheme://host:port, without the path: where the server should be listening. */
    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static boolean unresolved(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) return true;
        }
        return false;
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return Redactor.global().redact(text);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @SuppressWarnings("unchecked")
    private static List<ByteBuffer> castBuffers(Object item) {
        return (List<ByteBuffer>) item;
    }

    /** Hands body chunks from the HTTP client's threads to the reading thread, one request at a time. */
    private static final class ChunkQueue implements Flow.Subscriber<List<ByteBuffer>> {
        static final Object END = new Object();
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;

        @Override public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override public void onNext(List<ByteBuffer> item) { queue.add(item); }

        @Override public void onError(Throwable throwable) { queue.add(throwable); }

        @Override public void onComplete() { queue.add(END); }

        Object poll(long nanos) {
            try {
                return queue.poll(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ModelException(Kind.INTERRUPTED, "interrupted while reading a stream");
            }
        }

        void requestMore() {
            Flow.Subscription s = subscription;
            if (s != null) s.request(1);
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) s.cancel();
        }

        /** Reads an error body to its end (bounded in time) for the error message. */
        String drainToString(Duration limit) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline && out.size() < 64 * 1024) {
                Object item = poll(deadline - System.nanoTime());
                if (item == null || item == END || item instanceof Throwable) break;
                for (ByteBuffer b : castBuffers(item)) {
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.writeBytes(bytes);
                }
                requestMore();
            }
            cancel();
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Splits bytes into UTF-8 lines without breaking a multi-byte character across chunks. */
    private static final class LineSplitter {
        private final Consumer<String> onLine;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> onLine) {
            this.onLine = onLine;
        }

        void accept(ByteBuffer buffer) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    emit();
                } else {
                    current.write(b);
                }
            }
        }

        void finish() {
            if (current.size() > 0) emit();
        }

        private void emit() {
            String line = current.toString(StandardCharsets.UTF_8);
            current.reset();
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            onLine.accept(line);
        }
    }

    /** The SSE framing rules (WHATWG HTML §9.2.6) that matter for model APIs. */
    private static final class SseParser {
        private final Consumer<SseEvent> onEvent;
        private String event = "";
        private final StringBuilder data = new StringBuilder();
        private boolean hasData;

        SseParser(Consumer<SseEvent> onEvent) {
            this.onEvent = onEvent;
        }

        void line(String line) {
            if (line.isEmpty()) {
                dispatch();
                return;
            }
            if (line.startsWith(":")) return;
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (hasData) data.append('\n');
                    data.append(value);
                    hasData = true;
                }
                default -> { /* id, retry: not used by model APIs */ }
            }
        }

        void finish() {
            dispatch();
        }

        private void dispatch() {
            if (hasData) onEvent.accept(new SseEvent(event, data.toString()));
            event = "";
            data.setLength(0);
            hasData = false;
        }
    }
}
