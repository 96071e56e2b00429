package dev.ensemble.llm;

import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The models an Ollama server has pulled ({@code GET {base}/api/tags}, with each one's details),
 * asked once per base URL and remembered for the lifetime of its owner: the availability checks of
 * every Ollama model and the discovery of models outside the catalog share one call, even when
 * they ask from many threads at once. A server that does not answer is asked again after a few
 * seconds, since it may just not have been started yet; every call is bounded by {@link #TIMEOUT}
 * (a refused connection fails at once).
 */
public final class OllamaTags implements AutoCloseable {
    /** Short: a local server answers at once or not at all, and no command may hang on it. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long FAILURE_MEMORY_NANOS = Duration.ofSeconds(5).toNanos();

    /**
     * One pulled model as {@code /api/tags} lists it; the details are "" when the server gave none.
     *
     * @param family        {@code details.family}, e.g. "llama" (Mistral's GGUFs say "llama" too)
     * @param parameterSize {@code details.parameter_size}, e.g. "7.2B"
     * @param quantization  {@code details.quantization_level}, e.g. "Q4_K_M"
     * @param digest        the model's content digest: the same digest is the same model, whatever its name
     */
    public record Pulled(String name, String family, String parameterSize, String quantization, String digest) {
        public Pulled {
            Objects.requireNonNull(name, "name");
            digest = digest == null ? "" : digest;
            family = family == null ? "" : family;
            parameterSize = parameterSize == null ? "" : parameterSize;
            quantization = quantization == null ? "" : quantization;
        }
    }

    /** What one server said: its models, or (with {@code problem} set) why there is no list. */
    public record Listing(List<Pulled> models, String problem) {
        public Listing {
            models = List.copyOf(models);
        }

        public boolean answered() {
            return problem == null;
        }

        /** Whether {@code wireName} is pulled; a name without a tag means {@code :latest}, as in Ollama. */
        public boolean has(String wireName) {
            String latest = wireName.contains(":") ? wireName : wireName + ":latest";
            return models.stream().anyMatch(m -> m.name().equals(wireName) || m.name().equals(latest));
        }
    }

    private record Entry(CompletableFuture<Listing> listing, long askedAt) {
        boolean stale(long now) {
            return listing.isDone() && !listing.join().answered() && now - askedAt > FAILURE_MEMORY_NANOS;
        }
    }

    private final HttpClient client;
    private final Map<String, Entry> listings = new ConcurrentHashMap<>();

    /** With its own HTTP client, whose connect timeout is {@link #TIMEOUT}. */
    public OllamaTags() {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build());
    }

    public OllamaTags(HttpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    HttpClient client() {
        return client;
    }

    /** Stops the client's selector thread, which would otherwise hold the JVM's exit for 300 ms. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    /** The pulled models at {@code baseUrl} (an Ollama root or its {@code /v1}), asked at most once while it answers. */
    public Listing listing(String baseUrl) {
        String base = nativeBase(baseUrl);
        CompletableFuture<Listing> mine = new CompletableFuture<>();
        long now = System.nanoTime();
        Entry entry = listings.compute(base, (k, old) -> old != null && !old.stale(now) ? old : new Entry(mine, now));
        if (entry.listing() == mine) mine.complete(fetch(base));
        return entry.listing().join();
    }

    /** Whether {@code wireName} can be served by the Ollama at {@code baseUrl} now, and if not, what to do. */
    public ModelAvailability check(String baseUrl, String wireName) {
        Listing listing = listing(baseUrl);
        if (!listing.answered()) return ModelAvailability.unusable(listing.problem());
        return listing.has(wireName) ? ModelAvailability.READY
                : ModelAvailability.unusable("not pulled in Ollama at " + nativeBase(baseUrl) + " (ollama pull " + wireName + ")");
    }

    private Listing fetch(String base) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/tags")).timeout(TIMEOUT).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException("HTTP " + response.statusCode());
            List<Pulled> models = new ArrayList<>();
            for (JsonNode model : HttpTransport.JSON.readTree(response.body()).path("models")) {
                String name = model.path("name").asString(model.path("model").asString(""));
                if (name.isEmpty()) continue;
                JsonNode details = model.path("details");
                models.add(new Pulled(name, details.path("family").asString(""), details.path("parameter_size").asString(""),
                        details.path("quantization_level").asString(""), model.path("digest").asString("")));
            }
            return new Listing(models, null);
        } catch (IOException | JacksonException | IllegalArgumentException e) {
            return new Listing(List.of(), "Ollama not reachable at " + base + " (start it with `ollama serve`): "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Listing(List.of(), "interrupted while asking Ollama at " + base);
        }
    }

    /** Ollama's own API hangs off the server root, even where the catalog points at its OpenAI /v1 endpoint. */
    public static String nativeBase(String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        for (String suffix : new String[] {"/v1", "/api"}) {
            if (base.endsWith(suffix)) return base.substring(0, base.length() - suffix.length());
        }
        return base;
    }
}
