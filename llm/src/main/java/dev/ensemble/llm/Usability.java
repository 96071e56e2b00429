package dev.ensemble.llm;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.WireProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a model can be called at all, found out without sending it anything: its key resolves,
 * its local server accepts a connection, local-only mode allows it, and (when asked to) Ollama
 * has pulled it. What commands ask before they write or send anything (the planner of
 * {@code go}, the roles of {@code chat} and {@code review}, the model {@code exec} hands an
 * agent), so that a machine with nothing usable gets {@link ModelException.Kind#NO_USABLE_MODEL}
 * up front.
 *
 * <p>Cloud servers are never contacted; local ones get a TCP connect, and Ollama, only where the
 * caller asks, one {@code GET /api/tags}; each answer is remembered per address (and each key's
 * lookup per reference) for the life of this object: one command asks for many models. Without
 * asking Ollama, a model it has not pulled passes, and a chain finds that out from Ollama's 404
 * and skips it ({@link FallbackChatModel}).
 */
public final class Usability {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final Catalog catalog;
    private final SecretResolver secrets;
    private final boolean localOnly;
    private final OllamaTags tags;
    private final Map<String, Boolean> answering = new ConcurrentHashMap<>();
    private final Map<SecretRef, Boolean> keys = new ConcurrentHashMap<>();

    public Usability(Catalog catalog, SecretResolver secrets, HttpClient client, boolean localOnly) {
        this(catalog, secrets, localOnly, new OllamaTags(client));
    }

    /** Sharing the pulled-model lists another part (the models' availability) already asked for. */
    Usability(Catalog catalog, SecretResolver secrets, boolean localOnly, OllamaTags tags) {
        this.catalog = catalog;
        this.secrets = secrets;
        this.localOnly = localOnly;
        this.tags = tags;
    }

    /** Why {@code spec} cannot be called now, found without any HTTP request; empty when nothing is known against it. */
    public Optional<UnusableModel> check(ModelSpec spec) {
        return check(spec, false);
    }

    /**
     * As {@link #check(ModelSpec)}, and with {@code askOllama} also whether Ollama has pulled the
     * model (one {@code GET /api/tags} per server): for choosing one model that must work, such
     * as the one an agent is handed.
     */
    public Optional<UnusableModel> check(ModelSpec spec, boolean askOllama) {
        ProviderSpec provider = catalog.providerOf(spec);
        if (localOnly && !spec.local()) return Optional.of(UnusableModel.localOnly(spec, provider));
        if (provider.apiKey().isPresent() && !keySet(provider.apiKey().get())) {
            return Optional.of(UnusableModel.noKey(spec, provider, provider.apiKey().get()));
        }
        boolean ollama = provider.wire() == WireProtocol.OLLAMA;
        if ((provider.local() || ollama) && !answers(provider.baseUrl())) {
            return Optional.of(UnusableModel.notAnswering(spec, provider));
        }
        if (askOllama && ollama && !tags.check(provider.baseUrl(), spec.wireName()).usable()) {
            return Optional.of(UnusableModel.notPulled(spec, provider));
        }
        return Optional.empty();
    }

    /**
     * {@link ModelException.Kind#NO_USABLE_MODEL} when none of {@code specs} can be called (with
     * each one's reason), empty when at least one may be. Asks no server anything.
     *
     * @param what what was looked for, for the message ("model claude can drive"); null: "model"
     */
    public Optional<ModelException> noneUsable(String what, Collection<ModelSpec> specs) {
        return noneUsable(what, specs, false);
    }

    /** As {@link #noneUsable(String, Collection)}; with {@code askOllama} a model Ollama has not pulled counts as unusable. */
    public Optional<ModelException> noneUsable(String what, Collection<ModelSpec> specs, boolean askOllama) {
        List<UnusableModel> why = new ArrayList<>();
        for (ModelSpec spec : specs) {
            Optional<UnusableModel> unusable = check(spec, askOllama);
            if (unusable.isEmpty()) return Optional.empty();
            why.add(unusable.get());
        }
        return Optional.of(ModelException.noUsableModel(what, why));
    }

    /** Asked once per reference: a {@code pass:} or keychain key starts a program each time. */
    private boolean keySet(SecretRef ref) {
        return keys.computeIfAbsent(ref, r -> secrets.check(r).available());
    }

    /** Whether something accepts a TCP connection at the address; a refusal or an unknown host is "no". */
    private boolean answers(String baseUrl) {
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return answering.computeIfAbsent(host + ":" + port, key -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
                return true;
            } catch (IOException | IllegalArgumentException e) {
                return false;
            }
        });
    }
}
