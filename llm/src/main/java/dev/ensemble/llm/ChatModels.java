package dev.ensemble.llm;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.AnthropicChatModel;
import dev.ensemble.llm.provider.GeminiChatModel;
import dev.ensemble.llm.provider.OllamaChatModel;
import dev.ensemble.llm.provider.OpenAiChatModel;
import dev.ensemble.llm.provider.OpenAiResponsesModel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Builds the model to call for a name from the catalog. Each model gets the same stack, so no
 * provider repeats any of it:
 * <pre>
 *   Retrying( CircuitBreaking( Recording( provider ) ) )
 * </pre>
 * Recording is innermost so every attempt is a ledger row; the breaker sits outside it so an open
 * circuit costs no call and no row; retries are outermost so each retry asks the breaker again.
 * An alias becomes a {@link FallbackChatModel} over the stacks of its chain.
 *
 * <p>With a {@link BudgetGuard}, each stack is wrapped once more, outermost:
 * {@code Budgeted( Retrying( … ) )}, so a call that could cross a budget is refused before its
 * first attempt, and each model of a chain is checked at its own prices.
 *
 * <p>In local-only mode ({@code local_only: true} or {@code --local}) only models marked local are
 * served: a cloud model id is refused by {@link #model(String)}, an alias keeps only its local
 * models (none: an error that says what to pull), and a cloud {@link ModelSpec} asked for
 * directly gets a model that fails every call without touching the network.
 *
 * <p>A model whose key cannot be resolved still gets a model: one that fails with
 * {@link ModelException.Kind#NO_USABLE_MODEL} naming the key, without touching the network, so
 * a chain skips it quietly (and says so only if nothing of the chain could be used).
 * All models share one HTTP client per connect timeout and one breaker per model id.
 */
public final class ChatModels {
    private final Catalog catalog;
    private final Timeouts timeouts;
    private final RetrySettings retry;
    private final CircuitBreakerRegistry breakers;
    private final SecretResolver secrets;
    private final CallObserver observer;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, ChatModel> stacks = new ConcurrentHashMap<>();
    private final ProviderGates gates;
    private final BudgetGuard guard;
    private final boolean localOnly;
    private final OllamaTags ollamaTags;
    /** Whether {@link #ollamaTags} was made here (and so is closed here) rather than shared by the caller. */
    private boolean ownsOllamaTags;
    private volatile Usability usability;

    public ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, BreakerSettings breaker,
                      SecretResolver secrets, CallObserver observer) {
        this(catalog, timeouts, retry, new CircuitBreakerRegistry(breaker), secrets, observer, Sleeper.REAL,
                RandomGenerator.getDefault());
    }

    /** With the breakers shared beyond this factory, and the waiting and randomness of retries chosen (tests). */
    public ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, CircuitBreakerRegistry breakers,
                      SecretResolver secrets, CallObserver observer, Sleeper sleeper, RandomGenerator random) {
        this(catalog, timeouts, retry, breakers, secrets, observer, sleeper, random, Optional.empty(), false);
    }

    /** With a budget guard on every model and local-only mode on or off (the CLI). */
    public ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, BreakerSettings breaker,
                      SecretResolver secrets, CallObserver observer, Optional<BudgetGuard> guard, boolean localOnly) {
        this(catalog, timeouts, retry, new CircuitBreakerRegistry(breaker), secrets, observer, Sleeper.REAL,
                RandomGenerator.getDefault(), guard, localOnly);
    }

    /**
     * As the CLI builds it, asking Ollama through {@code ollamaTags}: the same cache that found
     * the pulled models outside the catalog ({@link OllamaDiscovery}), so a process asks each
     * Ollama for its list once.
     */
    public ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, BreakerSettings breaker,
                      SecretResolver secrets, CallObserver observer, Optional<BudgetGuard> guard, boolean localOnly,
                      OllamaTags ollamaTags) {
        this(catalog, timeouts, retry, new CircuitBreakerRegistry(breaker), secrets, observer, Sleeper.REAL,
                RandomGenerator.getDefault(), guard, localOnly, ollamaTags);
    }

    /** Everything chosen (tests). */
    public ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, CircuitBreakerRegistry breakers,
                      SecretResolver secrets, CallObserver observer, Sleeper sleeper, RandomGenerator random,
                      Optional<BudgetGuard> guard, boolean localOnly) {
        this(catalog, timeouts, retry, breakers, secrets, observer, sleeper, random, guard, localOnly, new OllamaTags());
        this.ownsOllamaTags = true;
    }

    private ChatModels(Catalog catalog, Timeouts timeouts, RetrySettings retry, CircuitBreakerRegistry breakers,
                       SecretResolver secrets, CallObserver observer, Sleeper sleeper, RandomGenerator random,
                       Optional<BudgetGuard> guard, boolean localOnly, OllamaTags ollamaTags) {
        this.ollamaTags = Objects.requireNonNull(ollamaTags, "ollamaTags");
        this.guard = guard.orElse(null);
        this.localOnly = localOnly;
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.breakers = Objects.requireNonNull(breakers, "breakers");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.gates = ProviderGates.of(catalog);
    }

    /** The providers' concurrency limits these models keep to; CLI agent runs share them. */
    public ProviderGates gates() {
        return gates;
    }

    public Catalog catalog() {
        return catalog;
    }

    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    public boolean localOnly() {
        return localOnly;
    }

    public Optional<BudgetGuard> guard() {
        return Optional.ofNullable(guard);
    }

    /**
     * How each model's stack retries it ({@code retry:}), with the sleeper it waits with: a gateway's
     * byte-for-byte path, which calls providers without this stack, retries by the same policy.
     */
    public RetrySettings retrySettings() {
        return retry;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    /**
     * The model behind a name: a model id gives that model's stack; an alias gives a fallback
     * chain over its models' stacks.
     *
     * @throws IllegalArgumentException for an unknown name or an alias cycle, and in local-only
     *                                  mode for a cloud model or an alias without a local model
     */
    public ChatModel model(String nameOrAlias) {
        List<ModelSpec> chain = servable(nameOrAlias);
        if (catalog.model(nameOrAlias).isPresent()) return model(chain.getFirst());
        return new FallbackChatModel(chain.stream().map(this::model).toList());
    }

    /**
     * The models a name resolves to that may be called: all of them, or in local-only mode the
     * local ones only.
     *
     * @throws IllegalArgumentException as {@link #model(String)}
     */
    public List<ModelSpec> servable(String nameOrAlias) {
        return servable(catalog, nameOrAlias, localOnly);
    }

    /** {@link #servable(String)} without a factory: for checking a name before anything is opened. */
    public static List<ModelSpec> servable(Catalog catalog, String nameOrAlias, boolean localOnly) {
        List<ModelSpec> chain = catalog.resolve(nameOrAlias);
        if (!localOnly) return chain;
        List<ModelSpec> local = chain.stream().filter(ModelSpec::local).toList();
        if (!local.isEmpty()) return local;
        if (catalog.model(nameOrAlias).isPresent()) {
            throw new IllegalArgumentException("local-only mode: " + nameOrAlias + " is a cloud model; " + pullHint(catalog));
        }
        throw new IllegalArgumentException("local-only mode: no local model in " + nameOrAlias + " ("
                + String.join(", ", chain.stream().map(ModelSpec::id).toList()) + " are cloud models); " + pullHint(catalog));
    }

    /**
     * "pull one: ollama pull gpt-oss:20b (or name a local model …)": the fastest local Ollama model
     * of the catalog, as a start. Models found pulled ({@link OllamaDiscovery}, scores guessed)
     * are not suggested: they are there already.
     */
    public static String pullHint(Catalog catalog) {
        Optional<ModelSpec> suggestion = catalog.models().values().stream()
                .filter(m -> m.local() && catalog.providerOf(m).wire() == WireProtocol.OLLAMA)
                .filter(m -> m.capabilities().values().stream().noneMatch(dev.ensemble.core.Capability::guessed))
                .max(java.util.Comparator.comparingDouble(ModelSpec::tokensPerSecond).thenComparing(ModelSpec::id));
        return suggestion.map(m -> "pull one: ollama pull " + m.wireName() + " (or name a local model from `ensemble models`)")
                .orElse("add a local model to the catalog (a provider with local: true, e.g. Ollama)");
    }

    /** One model's stack (retry, breaker, recording, provider); built once per model id and reused. */
    public ChatModel model(ModelSpec spec) {
        ChatModel cached = stacks.get(spec.id());
        if (cached != null && cached.spec().equals(spec)) return cached;
        ProviderSpec provider = catalog.providerOf(spec);
        if (localOnly && !spec.local()) return new CloudRefused(spec, UnusableModel.localOnly(spec, provider));
        Optional<String> key = Optional.empty();
        if (provider.apiKey().isPresent()) {
            try {
                key = Optional.of(secrets.require(provider.apiKey().get()));
            } catch (SecretException e) {
                // Not cached: the key may be set before the next call to model().
                return new MissingKey(spec, UnusableModel.noKey(spec, provider, provider.apiKey().get()), e);
            }
        }
        // The gate sits outside the recording: time spent waiting for a permit is not the model's latency.
        ChatModel stack = new RetryingChatModel(
                new CircuitBreakingChatModel(
                        gates.gate(new RecordingChatModel(provider(spec, provider, key), observer, provider.name()), provider),
                        breakers.forModel(spec.id())),
                retry, sleeper, random);
        if (guard != null) stack = new BudgetedChatModel(stack, guard);
        stacks.put(spec.id(), stack);
        return stack;
    }

    /** Whether {@code spec} can be called now (key resolvable, Ollama model pulled), and if not, why. */
    public ModelAvailability availability(ModelSpec spec) {
        ProviderSpec provider = catalog.providerOf(spec);
        if (provider.apiKey().isPresent()) {
            SecretResolver.Resolution resolution = secrets.check(provider.apiKey().get());
            if (!resolution.available()) return ModelAvailability.unusable("key " + resolution.reason());
        }
        if (provider.wire() == WireProtocol.OLLAMA) {
            return ollamaTags.check(provider.baseUrl(), spec.wireName());
        }
        return ModelAvailability.READY;
    }

    /**
     * What can be called, found out without sending anything (keys, local servers, pulled models);
     * one per factory, so each local server is probed once.
     */
    public Usability usability() {
        Usability u = usability;
        if (u == null) {
            synchronized (this) {
                if (usability == null) usability = new Usability(catalog, secrets, localOnly, ollamaTags);
                u = usability;
            }
        }
        return u;
    }

    private ChatModel provider(ModelSpec spec, ProviderSpec provider, Optional<String> key) {
        HttpTransport http = new HttpTransport(client(), timeouts, provider.name() + "/" + spec.id());
        return switch (provider.wire()) {
            case OPENAI_CHAT -> new OpenAiChatModel(spec, provider, http, key);
            case OLLAMA -> new OllamaChatModel(spec, provider, http, key);
            case OPENAI_RESPONSES -> new OpenAiResponsesModel(spec, provider, http, key);
            case ANTHROPIC -> new AnthropicChatModel(spec, provider, http, key);
            case GEMINI -> new GeminiChatModel(spec, provider, http, key);
        };
    }

    private HttpClient client() {
        return clients.computeIfAbsent(timeouts.connect(), HttpTransport::newClient);
    }

    /** Stands in for a cloud model in local-only mode; fails every call without touching the network. */
    private record CloudRefused(ModelSpec spec, UnusableModel why) implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request, StreamListener listener) {
            throw ModelException.noUsableModel(List.of(why));
        }
    }

    /** Stands in for a model whose key is missing; fails every call without touching the network. */
    private record MissingKey(ModelSpec spec, UnusableModel why, SecretException cause) implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request, StreamListener listener) {
            throw ModelException.noUsableModel(null, List.of(why), cause);
        }
    }

    /**
     * Stops the HTTP clients' selector threads. A thread left waiting in the kernel makes the JVM's
     * exit wait 300 ms for it: every command that called a model, or asked Ollama, paid that.
     */
    public void close() {
        clients.values().forEach(HttpClient::shutdownNow);
        clients.clear();
        if (ownsOllamaTags) ollamaTags.close();
    }
}
