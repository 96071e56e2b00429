package dev.ensemble.llm;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.BuiltinCatalog;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes every model a local Ollama has pulled usable, not only those in the catalog: the pulled
 * list comes from {@link OllamaTags} (the one {@code /api/tags} call the availability checks use
 * too), and each model the catalog lacks is asked about once with {@code POST /api/show}: its
 * context length ({@code model_info["<arch>.context_length"]}), tool support ({@code capabilities}
 * holding "tools"), family, parameter size and quantisation. It joins the catalog at $0 under its
 * Ollama name ({@code mistral:7b}; {@code :latest} dropped), with capability scores guessed from
 * its family ({@link OllamaFamilies}) and marked as guessed.
 *
 * <p>The built-in local aliases, where the configuration left them as shipped, get the found
 * models at the end of their chains ({@code local-coding} by coding score, {@code local-research}
 * by planning score, {@code fast-model} by speed), so the default alias reaches a pulled model when
 * none of the catalog's own local ones is pulled. An alias the user wrote is left as written.
 *
 * <p>Cheap by construction: nothing is asked of an Ollama that did not answer {@code /api/tags};
 * the {@code /api/show} calls run in parallel, each within {@link OllamaTags#TIMEOUT}, and a model
 * whose answer did not come in time joins with what the list said (and a conservative context).
 * With a cache file, an answer is kept by the model's digest ({@link OllamaShowCache}), so a later
 * process asks {@code /api/show} only about models pulled since.
 */
public final class OllamaDiscovery {
    /** What a model is assumed to hold when Ollama did not say: Ollama's own default {@code num_ctx}. */
    static final int UNKNOWN_CONTEXT = 4096;
    private static final Map<String, Comparator<ModelSpec>> BUILT_IN_ALIASES = Map.of(
            "local-coding", byScore(TaskKind.CODING),
            "local-research", byScore(TaskKind.PLANNING),
            "fast-model", Comparator.comparingDouble(ModelSpec::tokensPerSecond).reversed().thenComparing(ModelSpec::id));

    private final OllamaTags tags;
    private final Clock clock;
    private final OllamaShowCache cache;
    private final Map<String, Shown> shown = new ConcurrentHashMap<>();

    /** Without a cache file: every process asks {@code /api/show} about each unknown model. */
    public OllamaDiscovery(OllamaTags tags) {
        this(tags, null, Clock.systemUTC());
    }

    /**
     * @param cacheFile where {@code /api/show}'s answers are kept by model digest across processes
     *                  (e.g. {@code ~/.cache/ensemble/ollama-show.json}); null for none
     */
    public OllamaDiscovery(OllamaTags tags, Path cacheFile, Clock clock) {
        this.tags = Objects.requireNonNull(tags, "tags");
        this.cache = new OllamaShowCache(cacheFile);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What {@code /api/show} said about one model; {@code answered} false when it said nothing in time. */
    record Shown(boolean answered, int contextLength, boolean tools, String family, String parameterSize, String quantization) {
        static final Shown NOTHING = new Shown(false, 0, false, "", "", "");
    }

    /** {@code catalog} with the pulled models it lacks, and the built-in local aliases reaching them; itself when none. */
    public Catalog extend(Catalog catalog) {
        List<ModelSpec> found = discover(catalog);
        if (found.isEmpty()) return catalog;
        Map<String, ModelSpec> models = new LinkedHashMap<>(catalog.models());
        found.forEach(m -> models.put(m.id(), m));
        Map<String, List<String>> aliases = new LinkedHashMap<>(catalog.aliases());
        Map<String, List<String>> shipped = BuiltinCatalog.load().aliases();
        BUILT_IN_ALIASES.forEach((alias, order) -> {
            List<String> chain = catalog.aliases().get(alias);
            if (chain == null || !chain.equals(shipped.get(alias))) return;
            List<String> providers = chain.stream().map(catalog::model).flatMap(Optional::stream).map(ModelSpec::provider).toList();
            List<String> extended = new ArrayList<>(chain);
            found.stream().filter(m -> providers.contains(m.provider())).sorted(order).map(ModelSpec::id).forEach(extended::add);
            aliases.put(alias, extended);
        });
        return new Catalog(catalog.providers(), models, aliases);
    }

    /** The models pulled at the catalog's Ollama providers that it does not list, in the order Ollama listed them. */
    public List<ModelSpec> discover(Catalog catalog) {
        List<ModelSpec> found = new ArrayList<>();
        java.util.Set<String> taken = new java.util.HashSet<>(catalog.models().keySet());
        taken.addAll(catalog.aliases().keySet());
        java.util.Set<String> servers = new java.util.HashSet<>();
        for (ProviderSpec provider : catalog.providers().values()) {
            // Two providers on one server (a user's own beside the built-in one) find its models once, for the first.
            if (provider.wire() != WireProtocol.OLLAMA || !servers.add(OllamaTags.nativeBase(provider.baseUrl()))) continue;
            OllamaTags.Listing listing = tags.listing(provider.baseUrl());
            if (!listing.answered()) continue;
            List<OllamaTags.Pulled> unknown = listing.models().stream().filter(p -> !known(catalog, provider, p.name())).toList();
            Map<String, Shown> details = show(OllamaTags.nativeBase(provider.baseUrl()), unknown);
            for (OllamaTags.Pulled pulled : unknown) {
                ModelSpec spec = spec(provider, pulled, details.getOrDefault(pulled.name(), Shown.NOTHING), id(provider, pulled.name(), taken));
                taken.add(spec.id());
                found.add(spec);
            }
        }
        return found;
    }

    private ModelSpec spec(ProviderSpec provider, OllamaTags.Pulled pulled, Shown show, String id) {
        String family = show.family().isBlank() ? pulled.family() : show.family();
        String size = show.parameterSize().isBlank() ? pulled.parameterSize() : show.parameterSize();
        OllamaFamilies.Guess guess = OllamaFamilies.guess(pulled.name(), family, size);
        int context = show.contextLength() > 0 ? show.contextLength() : UNKNOWN_CONTEXT;
        String quantization = show.quantization().isBlank() ? pulled.quantization() : show.quantization();
        String what = String.join(", ", java.util.stream.Stream.of(size.isBlank() ? "" : size + " parameters", quantization)
                .filter(s -> !s.isBlank()).toList());
        Pricing free = new Pricing(0, 0, 0, "found in Ollama at " + OllamaTags.nativeBase(provider.baseUrl())
                + (what.isEmpty() ? "" : ": " + what) + " (self-hosted, no per-token price)", LocalDate.now(clock));
        return new ModelSpec(id, provider.name(), pulled.name(), guess.family(), free, context, Math.max(256, Math.min(8192, context / 2)),
                OllamaFamilies.tokensPerSecond(guess.billions()), provider.local(), show.tools(), guess.capabilities());
    }

    /**
     * Whether the catalog already serves {@code name} from this provider's server, under any
     * provider of that server ({@code llama3} and {@code llama3:latest} are one).
     */
    private static boolean known(Catalog catalog, ProviderSpec provider, String name) {
        String bare = name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
        String server = OllamaTags.nativeBase(provider.baseUrl());
        return catalog.models().values().stream().anyMatch(m -> (m.wireName().equals(name) || m.wireName().equals(bare))
                && catalog.provider(m.provider()).map(p -> p.wire() == WireProtocol.OLLAMA
                        && OllamaTags.nativeBase(p.baseUrl()).equals(server)).orElse(false));
    }

    /** Its Ollama name without {@code :latest}; when that is taken (a model or alias of the catalog), provider/name. */
    private static String id(ProviderSpec provider, String name, java.util.Set<String> taken) {
        String bare = name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
        for (String candidate : List.of(bare, name, provider.name() + "/" + name)) {
            if (!taken.contains(candidate)) return candidate;
        }
        int n = 2;
        while (taken.contains(provider.name() + "/" + name + "#" + n)) n++;
        return provider.name() + "/" + name + "#" + n;
    }

    /** {@code /api/show} for each model not asked about before, in parallel, all within the timeout. */
    private Map<String, Shown> show(String base, List<OllamaTags.Pulled> models) {
        Map<String, Shown> out = new LinkedHashMap<>();
        Map<String, Future<Shown>> asked = new LinkedHashMap<>();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (OllamaTags.Pulled pulled : models) {
                Shown known = shown.get(base + " " + pulled.name());
                if (known == null) known = cache.get(pulled.digest()).orElse(null);
                if (known != null) out.put(pulled.name(), known);
                else asked.put(pulled.name(), pool.submit(() -> fetchShow(base, pulled.name())));
            }
            long deadline = System.nanoTime() + OllamaTags.TIMEOUT.plusMillis(500).toNanos();
            for (var entry : asked.entrySet()) {
                Shown answer;
                try {
                    answer = entry.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    answer = Shown.NOTHING;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    answer = Shown.NOTHING;
                }
                out.put(entry.getKey(), answer);
                if (answer.answered()) shown.put(base + " " + entry.getKey(), answer);
            }
            for (OllamaTags.Pulled pulled : models) {
                Shown answer = out.get(pulled.name());
                if (answer != null) cache.put(pulled.digest(), answer);
            }
            cache.save(models.stream().map(OllamaTags.Pulled::digest).toList());
        } finally {
            // Nothing waits for a straggler: its request has its own timeout and its answer is dropped.
            pool.shutdownNow();
        }
        return out;
    }

    private Shown fetchShow(String base, String name) {
        ObjectNode body = HttpTransport.JSON.createObjectNode().put("model", name).put("name", name);
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/show")).timeout(OllamaTags.TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(HttpTransport.JSON.writeValueAsString(body))).build();
            HttpResponse<String> response = tags.client().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) return Shown.NOTHING;
            return parseShow(HttpTransport.JSON.readTree(response.body()));
        } catch (IOException | JacksonException | IllegalArgumentException e) {
            return Shown.NOTHING;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Shown.NOTHING;
        }
    }

    static Shown parseShow(JsonNode show) {
        JsonNode info = show.path("model_info");
        String arch = info.path("general.architecture").asString("");
        long context = info.path(arch + ".context_length").asLong(0);
        if (context <= 0) {
            for (String key : info.propertyNames()) {
                if (key.endsWith(".context_length") && info.path(key).asLong(0) > 0) context = info.path(key).asLong(0);
            }
        }
        boolean tools;
        if (show.path("capabilities").isArray()) {
            tools = false;
            for (JsonNode c : show.path("capabilities")) tools |= c.asString("").equals("tools");
        } else {
            // Ollama before 0.6 had no capabilities list; a template that renders tools is the same promise.
            tools = show.path("template").asString("").contains(".Tools");
        }
        JsonNode details = show.path("details");
        return new Shown(true, (int) Math.min(Integer.MAX_VALUE, Math.max(0, context)), tools, details.path("family").asString(""),
                details.path("parameter_size").asString(""), details.path("quantization_level").asString(""));
    }

    private static Comparator<ModelSpec> byScore(TaskKind kind) {
        return Comparator.<ModelSpec>comparingDouble(m -> m.capability(kind).map(c -> c.score()).orElse(0.0)).reversed()
                .thenComparing(Comparator.comparingDouble(ModelSpec::tokensPerSecond).reversed())
                .thenComparing(ModelSpec::id);
    }
}
