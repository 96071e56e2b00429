package dev.ensemble.llm.provider;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Asks a local Ollama whether it answers and which models are pulled ({@code GET /api/version},
 * {@code GET /api/tags}), for {@code ensemble doctor} and {@code ensemble models}. Never throws for
 * an Ollama that is not there: the {@link Status} says why, because "not running" is an ordinary
 * answer to that question, not a failure.
 */
public final class OllamaClient implements AutoCloseable {
    /** Short: a local server answers at once or not at all, and doctor must not hang. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final String baseUrl;
    private final Duration timeout;
    private final String apiKey;
    private final HttpClient client;

    public OllamaClient(String baseUrl) {
        this(baseUrl, DEFAULT_TIMEOUT, Optional.empty());
    }

    /**
     * @param baseUrl like {@code http://127.0.0.1:11434} (no {@code /v1})
     * @param apiKey  sent as a bearer token when present (an Ollama behind an authenticating proxy)
     */
    public OllamaClient(String baseUrl, Duration timeout, Optional<String> apiKey) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.apiKey = apiKey.orElse(null);
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /**
     * What a probe found.
     *
     * @param running whether an Ollama answered both calls as Ollama does
     * @param version the server's version, "" when unknown
     * @param models  names of the pulled models as Ollama lists them ({@code llama3.2:latest})
     * @param problem why it is not usable, "" when it is
     */
    public record Status(String baseUrl, boolean running, String version, List<String> models, String problem) {
        public Status {
            version = version == null ? "" : version;
            models = List.copyOf(models);
            problem = problem == null ? "" : problem;
        }

        static Status down(String baseUrl, String problem) {
            return new Status(baseUrl, false, "", List.of(), problem);
        }

        /** Whether {@code name} is pulled; a name without a tag means {@code :latest}, as in Ollama. */
        public boolean hasModel(String name) {
            String wanted = name.contains(":") ? name : name + ":latest";
            return models.stream().anyMatch(m -> m.equals(name) || m.equals(wanted));
        }
    }

    /** Calls {@code /api/version}, then {@code /api/tags}; each within the timeout. */
    public Status probe() {
        Fetched version = get("/api/version");
        if (version.problem != null) return Status.down(baseUrl, version.problem);
        Fetched tags = get("/api/tags");
        if (tags.problem != null) return Status.down(baseUrl, tags.problem);
        JsonNode list = tags.body.path("models");
        if (!list.isArray()) return Status.down(baseUrl, baseUrl + "/api/tags has no model list: is this an Ollama server?");
        List<String> names = new ArrayList<>();
        for (JsonNode model : list) {
            String name = model.path("name").asString(model.path("model").asString(""));
            if (!name.isEmpty()) names.add(name);
        }
        return new Status(baseUrl, true, version.body.path("version").asString(""), names, "");
    }

    /** Stops the HTTP client's selector thread, which would otherwise hold the JVM's exit for 300 ms. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    /** The pulled model names, empty when Ollama does not answer. */
    public List<String> models() {
        return probe().models();
    }

    private record Fetched(JsonNode body, String problem) {}

    private Fetched get(String path) {
        String url = baseUrl + path;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", "application/json").GET();
        } catch (IllegalArgumentException e) {
            return new Fetched(null, "not a valid URL: " + redact(url));
        }
        if (apiKey != null) request.header("Authorization", "Bearer " + apiKey);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new Fetched(null, "no answer from " + redact(url) + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            return new Fetched(null, "cannot connect to " + redact(baseUrl) + " (" + redact(why) + "): is Ollama running?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Fetched(null, "interrupted while asking " + redact(url));
        }
        if (response.statusCode() != 200) {
            return new Fetched(null, redact(url) + " answered HTTP " + response.statusCode());
        }
        try {
            JsonNode body = HttpTransport.JSON.readTree(response.body());
            if (!body.isObject()) return new Fetched(null, redact(url) + " did not answer with a JSON object: is this an Ollama server?");
            return new Fetched(body, null);
        } catch (JacksonException e) {
            return new Fetched(null, redact(url) + " did not answer with JSON: is this an Ollama server?");
        }
    }

    private static String redact(String text) {
        return Redactor.global().redact(text);
    }
}
