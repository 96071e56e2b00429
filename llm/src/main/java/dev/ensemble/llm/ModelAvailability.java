package dev.ensemble.llm;

import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Whether a model can be called right now, and if not what to do about it: "ready", "key
 * env:OPENAI_API_KEY not set", "not pulled in Ollama at http://127.0.0.1:11434 (ollama pull
 * qwen2.5-coder:7b)". Built by {@link ChatModels#availability}.
 */
public record ModelAvailability(boolean usable, String reason) {
    public static final ModelAvailability READY = new ModelAvailability(true, "ready");

    public ModelAvailability {
        Objects.requireNonNull(reason, "reason");
    }

    public static ModelAvailability unusable(String reason) {
        return new ModelAvailability(false, reason);
    }

    /**
     * The models an Ollama server has pulled ({@code GET {base}/api/tags}), asked once per base URL
     * and remembered for the lifetime of its owner; a server that does not answer is asked again
     * next time, since it may just not have been started yet.
     */
    static final class OllamaTags {
        private static final Duration TIMEOUT = Duration.ofSeconds(2);
        private final HttpClient client;
        private final Map<String, Set<String>> pulled = new ConcurrentHashMap<>();

        OllamaTags(HttpClient client) {
            this.client = client;
        }

        ModelAvailability check(String baseUrl, String wireName) {
            String base = nativeBase(baseUrl);
            Set<String> names = pulled.get(base);
            if (names == null) {
                try {
                    names = fetch(base);
                } catch (IOException | JacksonException e) {
                    return unusable("Ollama not reachable at " + base + " (start it with `ollama serve`): "
                            + e.getClass().getSimpleName());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return unusable("interrupted while asking Ollama at " + base);
                }
                pulled.put(base, names);
            }
            boolean present = names.contains(wireName) || (!wireName.contains(":") && names.contains(wireName + ":latest"));
            return present ? READY : unusable("not pulled in Ollama at " + base + " (ollama pull " + wireName + ")");
        }

        private Set<String> fetch(String base) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/tags")).timeout(TIMEOUT).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException("HTTP " + response.statusCode());
            Set<String> names = new HashSet<>();
            for (JsonNode model : HttpTransport.JSON.readTree(response.body()).path("models")) {
                if (model.path("name").isString()) names.add(model.path("name").asString());
                if (model.path("model").isString()) names.add(model.path("model").asString());
            }
            return Set.copyOf(names);
        }

        /** Ollama's own API hangs off the server root, even where the catalog points at its OpenAI /v1 endpoint. */
        private static String nativeBase(String baseUrl) {
            String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            for (String suffix : new String[] {"/v1", "/api"}) {
                if (base.endsWith(suffix)) return base.substring(0, base.length() - suffix.length());
            }
            return base;
        }
    }
}
