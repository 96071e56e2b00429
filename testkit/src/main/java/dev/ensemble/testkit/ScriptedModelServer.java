package dev.ensemble.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTP server on 127.0.0.1 that answers like a model provider, in every wire protocol
 * ensemble speaks, from rules instead of a model. Used by every test that needs a model, by the
 * benchmarks, by `ensemble scripted-server`, and by `ensemble demo` when no local model exists.
 *
 * <pre>{@code
 * try (var server = ScriptedModelServer.start()) {
 *     server.rule(Rule.text("hello").whenPrompt("greet"));
 *     server.rule(Rule.fault(new Fault.RateLimited(1)).times(1));
 *     ... point a client at server.baseUrl() ...
 *     assertThat(server.requests()).hasSize(2);
 * }
 * }</pre>
 */
public final class ScriptedModelServer implements AutoCloseable {
    static {
        // Without TCP_NODELAY the JDK server holds each small SSE write for ~40 ms (Nagle + delayed ACK).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Deterministic token counts: a quarter of the characters, rounded up, at least 1. */
    public record TokenCount(int input, int output, int cached) {
        public static TokenCount estimate(String inputText, String outputText, int cached) {
            return new TokenCount(quarter(inputText), quarter(outputText), Math.min(cached, quarter(inputText)));
        }

        private static int quarter(String text) {
            return Math.max(1, (text == null ? 0 : text.length() + 3) / 4);
        }
    }

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Dialect> dialects;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<Rule, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<RecordedRequest> log = new CopyOnWriteArrayList<>();
    private final List<String> localModels = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile int cachedTokens;

    private ScriptedModelServer(int port, List<Dialect> dialects) throws IOException {
        this.dialects = List.copyOf(dialects);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts on a free port of 127.0.0.1 with every dialect. */
    public static ScriptedModelServer start() {
        return start(0);
    }

    public static ScriptedModelServer start(int port) {
        try {
            return new ScriptedModelServer(port, Dialects.all());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the scripted model server on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash; each protocol's paths hang below it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Adds a rule after the existing ones. */
    public ScriptedModelServer rule(Rule rule) {
        rules.add(rule);
        return this;
    }

    public ScriptedModelServer rules(List<Rule> newRules) {
        rules.addAll(newRules);
        return this;
    }

    /** Removes all rules and forgets their hit counts; the request log stays. */
    public void clearRules() {
        rules.clear();
        hits.clear();
    }

    /** Models listed as pulled by Ollama's /api/tags and by /v1/models. */
    public ScriptedModelServer localModels(List<String> names) {
        localModels.clear();
        localModels.addAll(names);
        return this;
    }

    /** Input tokens reported as served from the prompt cache, for every answer. */
    public ScriptedModelServer cachedTokens(int tokens) {
        this.cachedTokens = tokens;
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(log);
    }

    /**
     * The requests that asked a model something (chat, messages, responses, generateContent),
     * leaving out what only looks: {@code /api/tags}, {@code /v1/models}, {@code /api/version}.
     */
    public List<RecordedRequest> chatRequests() {
        return log.stream().filter(r -> r.parsed() != null).toList();
    }

    public void clearRequests() {
        log.clear();
    }

    /** The most requests that were being answered at the same moment, since the start. */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            serve(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        Instant receivedAt = Instant.now();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        if (method.equals("GET")) {
            // Logged before answering, so a client that has its answer always finds its request in the log.
            String answer = getAnswer(path);
            int status = answer == null ? 404 : 200;
            log.add(new RecordedRequest(receivedAt, method, path, query, headers, body, null, "", status));
            send(exchange, status, "application/json",
                    List.of(answer == null ? "{\"error\":\"no such endpoint: GET " + path + "\"}" : answer), null);
            return;
        }
        Dialect dialect = dialects.stream().filter(d -> d.handles(path)).findFirst().orElse(null);
        if (dialect == null || !method.equals("POST")) {
            log.add(new RecordedRequest(receivedAt, method, path, query, headers, body, null, "", 404));
            send(exchange, 404, "application/json", List.of("{\"error\":{\"message\":\"no such endpoint: " + method + " " + path + "\"}}"), null);
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (RuntimeException e) {
            log.add(new RecordedRequest(receivedAt, method, path, query, headers, body, null, "", 400));
            send(exchange, 400, "application/json", List.of(dialect.errorBody(400, "request body is not valid JSON")), null);
            return;
        }
        ParsedRequest parsed = dialect.parse(path, query, json);
        Rule rule = pick(parsed);
        String ruleName = rule == null ? "default" : rule.name();
        Reply reply = rule == null || rule.reply() == null ? defaultReply(parsed) : rule.reply();
        Fault fault = rule == null ? null : rule.fault();
        Duration chunkDelay = rule == null ? null : rule.chunkDelay();

        int status = statusFor(fault);
        log.add(new RecordedRequest(receivedAt, method, path, query, headers, body, parsed, ruleName, status));

        switch (fault) {
            case Fault.RateLimited r -> {
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(r.retryAfterSeconds()));
                send(exchange, 429, "application/json", List.of(dialect.errorBody(429, "rate limited (scripted)")), null);
                return;
            }
            case Fault.HttpError e -> {
                // Like some real providers, a 401 repeats the key it was given: the worst case for redaction.
                String message = e.status() == 401 ? "invalid API key: " + presentedKey(headers) : "scripted error " + e.status();
                send(exchange, e.status(), "application/json", List.of(dialect.errorBody(e.status(), message)), null);
                return;
            }
            case Fault.Reset r -> throw new ScriptedDisconnect("scripted connection reset");
            case Fault.Stall s -> sleep(s.duration());
            case null, default -> { }
        }

        String outputText = switch (reply) {
            case Reply.Text t -> t.text();
            case Reply.ToolCall c -> c.name() + c.argumentsJson();
        };
        Answer answer = dialect.render(parsed, reply, TokenCount.estimate(parsed.inputText(), outputText, cachedTokens));
        List<String> chunks = answer.chunks();
        if (fault instanceof Fault.Malformed) chunks = corrupt(chunks);
        send(exchange, answer.status(), answer.contentType(), chunks, new Pacing(chunkDelay, fault));
    }

    private static String presentedKey(Map<String, List<String>> headers) {
        for (var entry : headers.entrySet()) {
            String name = entry.getKey().toLowerCase(java.util.Locale.ROOT);
            if (entry.getValue().isEmpty()) continue;
            if (name.equals("authorization")) return entry.getValue().get(0).replaceFirst("(?i)^bearer ", "");
            if (name.equals("x-api-key") || name.equals("x-goog-api-key")) return entry.getValue().get(0);
        }
        return "(none)";
    }

    private int statusFor(Fault fault) {
        return switch (fault) {
            case Fault.RateLimited r -> 429;
            case Fault.HttpError e -> e.status();
            case Fault.Reset r -> 0;
            case null, default -> 200;
        };
    }

    private synchronized Rule pick(ParsedRequest request) {
        for (Rule rule : rules) {
            if (!rule.matches(request)) continue;
            if (rule.times() > 0) {
                AtomicInteger count = hits.computeIfAbsent(rule, r -> new AtomicInteger());
                if (count.get() >= rule.times()) continue;
                count.incrementAndGet();
            }
            return rule;
        }
        return null;
    }

    /** With no matching rule the server echoes the prompt, so an unscripted call is easy to spot in a test. */
    private static Reply defaultReply(ParsedRequest request) {
        String prompt = request.lastUserText().strip();
        if (prompt.length() > 200) prompt = prompt.substring(0, 200) + "…";
        return Reply.text("Scripted answer to: " + prompt);
    }

    private record Pacing(Duration chunkDelay, Fault fault) {}

    private void send(HttpExchange exchange, int status, String contentType, List<String> chunks, Pacing pacing) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean streamed = chunks.size() > 1 || (pacing != null && pacing.fault() instanceof Fault.Cut);
        if (!streamed) {
            byte[] bytes = String.join("", chunks).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        exchange.sendResponseHeaders(status, 0);
        OutputStream out = exchange.getResponseBody();
        for (int i = 0; i < chunks.size(); i++) {
            if (pacing != null) {
                if (pacing.fault() instanceof Fault.Cut cut && i >= cut.afterChunks()) {
                    // Dropping the connection without the terminating chunk is what a proxy timeout looks like.
                    throw new ScriptedDisconnect("scripted stream cut after " + i + " chunks");
                }
                if (pacing.fault() instanceof Fault.StallMidStream stall && i == stall.afterChunks()) sleep(stall.duration());
                if (pacing.chunkDelay() != null && i > 0) sleep(pacing.chunkDelay());
            }
            out.write(chunks.get(i).getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.close();
    }

    /** Breaks the JSON of one chunk (the middle one of a stream) while keeping its framing intact. */
    private static List<String> corrupt(List<String> chunks) {
        List<String> out = new ArrayList<>(chunks);
        int index = out.size() / 2;
        out.set(index, out.get(index).replaceFirst("\\{", "{<<malformed>>"));
        return out;
    }

    /** The JSON answer to a GET, or null for an unknown path. */
    private String getAnswer(String path) {
        ObjectNode body = JSON.createObjectNode();
        switch (path) {
            case "/api/tags" -> {
                ArrayNode models = body.putArray("models");
                for (String name : localModels) {
                    models.addObject().put("name", name).put("model", name).put("size", 1_000_000_000L)
                            .put("modified_at", "2026-11-01T00:00:00Z");
                }
            }
            case "/api/version" -> body.put("version", "0.0.0-scripted");
            case "/v1/models" -> {
                body.put("object", "list");
                ArrayNode data = body.putArray("data");
                for (String name : localModels) data.addObject().put("id", name).put("object", "model").put("owned_by", "scripted");
            }
            case "/", "/health" -> body.put("status", "ok").put("server", "ensemble scripted model server");
            default -> {
                return null;
            }
        }
        return JSON.writeValueAsString(body);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScriptedDisconnect("interrupted while stalling");
        }
    }

    /** Thrown inside a handler to make the JDK server drop the connection without finishing the response. */
    private static final class ScriptedDisconnect extends RuntimeException {
        ScriptedDisconnect(String message) {
            super(message, null, false, false);
        }
    }
}
