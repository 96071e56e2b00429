package dev.ensemble.core.config;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Turns the merged, schema-checked tree into {@link EnsembleConfig}, checking what a schema cannot:
 * that names refer to things that exist, alias chains end, durations and dates parse, and that a
 * model is complete once all layers are laid over each other. Wrong types were already reported
 * by the schema check, so values of the wrong type are skipped here, not reported twice.
 */
final class Binder {
    private final Merged merged;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Set<String> reported;

    /** @param alreadyReported keys (dotted) that earlier checks complained about, so they are not reported twice */
    Binder(Merged merged, Set<String> alreadyReported) {
        this.merged = merged;
        this.reported = new HashSet<>(alreadyReported);
    }

    List<ConfigError> errors() {
        return errors;
    }

    /** The configuration, or null when something was wrong (see {@link #errors()}). */
    EnsembleConfig bind(List<String> sources) {
        JsonNode root = merged.tree();
        Map<String, ProviderSpec> providers = providers(root.path("providers"));
        Map<String, ModelSpec> models = models(root.path("models"), providers);
        Map<String, List<String>> aliases = aliases(root.path("aliases"), models);
        String defaultModel = text(root, KeyPath.of("default_model")).orElse(EnsembleConfig.DEFAULT_MODEL);
        if (!models.containsKey(defaultModel) && !aliases.containsKey(defaultModel)) {
            List<String> names = new ArrayList<>(models.keySet());
            names.addAll(aliases.keySet());
            fail(KeyPath.of("default_model"), "expected a model id or alias from the catalog, got \"" + defaultModel
                    + "\"" + Suggest.hint(defaultModel, names));
        }
        boolean localOnly = root.path("local_only").asBoolean(false);
        Timeouts timeouts = timeouts(root.path("timeouts"));
        RetrySettings retry = retry(root.path("retry"));
        BreakerSettings breaker = breaker(root.path("circuit_breaker"));
        StoreSettings store = store(root.path("store"));
        if (!errors.isEmpty()) return null;
        return new EnsembleConfig(new Catalog(providers, models, aliases), defaultModel, localOnly, timeouts, retry,
                breaker, store, sources);
    }

    // ------------------------------------------------------------------ catalog

    private Map<String, ProviderSpec> providers(JsonNode section) {
        Map<String, ProviderSpec> out = new LinkedHashMap<>();
        if (!section.isObject()) return out;
        for (var entry : section.properties()) {
            KeyPath at = KeyPath.of("providers", entry.getKey());
            JsonNode p = entry.getValue();
            if (!p.isObject()) continue;
            Optional<String> wire = required(p, at, "wire", "one of openai-chat, openai-responses, anthropic, gemini, ollama");
            Optional<String> baseUrl = required(p, at, "base_url", "an http:// or https:// URL");
            Optional<SecretRef> key = secret(p, at.child("api_key"));
            if (wire.isEmpty() || baseUrl.isEmpty()) continue;
            try {
                out.put(entry.getKey(), new ProviderSpec(entry.getKey(), WireProtocol.fromKey(wire.get()),
                        baseUrl.get(), key, p.path("local").asBoolean(false), p.path("max_concurrency").asInt(0)));
            } catch (IllegalArgumentException e) {
                fail(at, e.getMessage());
            }
        }
        return out;
    }

    private Map<String, ModelSpec> models(JsonNode section, Map<String, ProviderSpec> providers) {
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        if (!section.isObject()) return out;
        for (var entry : section.properties()) {
            KeyPath at = KeyPath.of("models", entry.getKey());
            JsonNode m = entry.getValue();
            if (!m.isObject()) continue;
            int before = errors.size();
            Optional<String> provider = required(m, at, "provider", "a provider name");
            if (provider.isPresent() && !providers.containsKey(provider.get())
                    && !merged.tree().path("providers").has(provider.get())) {
                fail(at.child("provider"), "expected one of the providers (" + String.join(", ", providers.keySet())
                        + "), got \"" + provider.get() + "\"" + Suggest.hint(provider.get(), providers.keySet()));
            }
            Optional<String> wireName = required(m, at, "wire_name", "the model name the provider's API expects");
            Optional<String> family = required(m, at, "family", "a model family such as claude, gpt, gemini, qwen");
            int contextWindow = requiredInt(m, at, "context_window");
            int maxOutput = requiredInt(m, at, "max_output");
            Pricing pricing = pricing(m.path("pricing"), at.child("pricing"));
            Map<TaskKind, Capability> capabilities = capabilities(m.path("capabilities"), at.child("capabilities"));
            if (errors.size() > before || provider.isEmpty() || wireName.isEmpty() || family.isEmpty()
                    || pricing == null || contextWindow <= 0 || maxOutput <= 0) {
                continue;
            }
            ProviderSpec providerSpec = providers.get(provider.get());
            boolean providerLocal = providerSpec != null && providerSpec.local();
            try {
                out.put(entry.getKey(), new ModelSpec(entry.getKey(), provider.get(), wireName.get(), family.get(), pricing,
                        contextWindow, maxOutput, m.path("tokens_per_second").asDouble(0),
                        m.path("local").asBoolean(providerLocal), m.path("tools").asBoolean(false), capabilities));
            } catch (IllegalArgumentException e) {
                fail(at, e.getMessage());
            }
        }
        return out;
    }

    private Pricing pricing(JsonNode p, KeyPath at) {
        if (!p.isObject()) {
            if (p.isMissingNode()) fail(at, "missing, expected a mapping with input, output, cached_input, source "
                    + "and as_of (prices 0 for a local model)");
            return null;
        }
        double input = requiredNumber(p, at, "input");
        double output = requiredNumber(p, at, "output");
        double cached = p.path("cached_input").isNumber() ? p.path("cached_input").asDouble() : input;
        Optional<String> source = required(p, at, "source", "where the price was read, such as the pricing page URL");
        Optional<String> asOfText = required(p, at, "as_of", "a date such as 2026-11-01");
        LocalDate asOf = null;
        if (asOfText.isPresent()) {
            try {
                asOf = LocalDate.parse(asOfText.get());
            } catch (DateTimeParseException e) {
                fail(at.child("as_of"), "expected a date such as 2026-11-01 (YYYY-MM-DD), got \"" + asOfText.get() + "\"");
            }
        }
        if (input < 0 || output < 0 || cached < 0 || source.isEmpty() || asOf == null) return null;
        return new Pricing(input, output, cached, source.get(), asOf);
    }

    private Map<TaskKind, Capability> capabilities(JsonNode c, KeyPath at) {
        Map<TaskKind, Capability> out = new EnumMap<>(TaskKind.class);
        if (!c.isObject()) return out;
        for (TaskKind kind : TaskKind.values()) {
            JsonNode entry = c.path(kind.key());
            if (!entry.isObject()) continue;
            KeyPath kindAt = at.child(kind.key());
            double score = requiredNumber(entry, kindAt, "score");
            Optional<String> benchmark = required(entry, kindAt, "benchmark", "the public benchmark the score comes from");
            if (score >= 0 && score <= 10 && benchmark.isPresent()) out.put(kind, new Capability(score, benchmark.get()));
        }
        return out;
    }

    private Map<String, List<String>> aliases(JsonNode section, Map<String, ModelSpec> models) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        if (!section.isObject()) return chains;
        for (var entry : section.properties()) {
            if (!entry.getValue().isArray()) continue;
            List<String> chain = new ArrayList<>();
            entry.getValue().forEach(step -> chain.add(step.isString() ? step.asString() : step.toString()));
            chains.put(entry.getKey(), chain);
        }
        Set<String> names = new LinkedHashSet<>(models.keySet());
        names.addAll(chains.keySet());
        JsonNode declaredModels = merged.tree().path("models");
        for (var entry : chains.entrySet()) {
            KeyPath at = KeyPath.of("aliases", entry.getKey());
            if (models.containsKey(entry.getKey()) || declaredModels.has(entry.getKey())) {
                fail(at, "expected an alias name that is not also a model id; '" + entry.getKey() + "' is a model");
            }
            List<String> chain = entry.getValue();
            for (int i = 0; i < chain.size(); i++) {
                String step = chain.get(i);
                if (!names.contains(step) && !declaredModels.has(step)) {
                    fail(at.index(i), "expected a model id or alias, got \"" + step + "\", which is neither"
                            + Suggest.hint(step, names));
                }
            }
        }
        reportCycles(chains);
        return chains;
    }

    /** Each cycle once, at the alias (in file order) where a walk first closes it. */
    private void reportCycles(Map<String, List<String>> chains) {
        Set<Set<String>> seen = new HashSet<>();
        for (String start : chains.keySet()) {
            List<String> cycle = findCycle(start, chains, new ArrayList<>());
            if (cycle != null && seen.add(new HashSet<>(cycle))) {
                String head = cycle.getFirst();
                fail(KeyPath.of("aliases", head), "expected alias chains to end in models, found a cycle: "
                        + String.join(" -> ", cycle) + " -> " + head);
            }
        }
    }

    private static List<String> findCycle(String name, Map<String, List<String>> chains, List<String> path) {
        int at = path.indexOf(name);
        if (at >= 0) return new ArrayList<>(path.subList(at, path.size()));
        List<String> chain = chains.get(name);
        if (chain == null) return null;
        path.add(name);
        for (String step : chain) {
            List<String> cycle = findCycle(step, chains, path);
            if (cycle != null) return cycle;
        }
        path.removeLast();
        return null;
    }

    // ------------------------------------------------------------------ settings

    private Timeouts timeouts(JsonNode t) {
        Timeouts d = Timeouts.DEFAULT;
        KeyPath at = KeyPath.of("timeouts");
        return new Timeouts(duration(t, at, "connect", d.connect()), duration(t, at, "first_token", d.firstToken()),
                duration(t, at, "idle", d.idle()), duration(t, at, "total", d.total()));
    }

    private RetrySettings retry(JsonNode r) {
        RetrySettings d = RetrySettings.DEFAULT;
        KeyPath at = KeyPath.of("retry");
        Duration initial = duration(r, at, "initial_backoff", d.initialBackoff());
        Duration max = duration(r, at, "max_backoff", d.maxBackoff());
        if (max.compareTo(initial) < 0) {
            fail(at.child(r.has("max_backoff") ? "max_backoff" : "initial_backoff"), "expected max_backoff ("
                    + Durations.format(max) + ") to be at least initial_backoff (" + Durations.format(initial) + ")");
        }
        int attempts = r.path("max_attempts").isIntegralNumber() ? r.path("max_attempts").asInt() : d.maxAttempts();
        double multiplier = r.path("multiplier").isNumber() ? r.path("multiplier").asDouble() : d.multiplier();
        double jitter = r.path("jitter").isNumber() ? r.path("jitter").asDouble() : d.jitter();
        Duration retryAfter = duration(r, at, "max_retry_after", d.maxRetryAfter());
        return attempt(at, () -> new RetrySettings(attempts, initial, max, multiplier, jitter, retryAfter), d);
    }

    private BreakerSettings breaker(JsonNode b) {
        BreakerSettings d = BreakerSettings.DEFAULT;
        KeyPath at = KeyPath.of("circuit_breaker");
        int threshold = b.path("failure_threshold").isIntegralNumber() ? b.path("failure_threshold").asInt() : d.failureThreshold();
        Duration openFor = duration(b, at, "open_for", d.openFor());
        return attempt(at, () -> new BreakerSettings(threshold, openFor), d);
    }

    private StoreSettings store(JsonNode s) {
        KeyPath at = KeyPath.of("store");
        String url = s.path("url").isString() ? s.path("url").asString() : "";
        if (!url.isEmpty() && !url.startsWith("jdbc:")) {
            fail(at.child("url"), "expected a JDBC URL such as jdbc:postgresql://host:5432/ensemble, or \"\" for the "
                    + "built-in SQLite store, got \"" + url + "\"");
        }
        String user = s.path("user").isString() ? s.path("user").asString() : "";
        return new StoreSettings(url, user, secret(s, at.child("password")));
    }

    // ------------------------------------------------------------------ helpers

    private <T> T attempt(KeyPath at, java.util.function.Supplier<T> build, T fallback) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            // the schema check has usually said this already, more precisely, at the field
            String section = at.toString();
            if (reported.stream().noneMatch(key -> key.startsWith(section))) fail(at, e.getMessage());
            return fallback;
        }
    }

    private Duration duration(JsonNode section, KeyPath sectionAt, String key, Duration fallback) {
        JsonNode value = section.path(key);
        if (!value.isString()) return fallback;
        KeyPath at = sectionAt.child(key);
        try {
            Duration d = Durations.parse(value.asString());
            if (d.isZero()) {
                fail(at, "expected a duration greater than zero, got \"" + value.asString() + "\"");
                return fallback;
            }
            return d;
        } catch (IllegalArgumentException e) {
            fail(at, e.getMessage() + ", got \"" + value.asString() + "\"");
            return fallback;
        }
    }

    private Optional<SecretRef> secret(JsonNode parent, KeyPath at) {
        JsonNode value = parent.path(at.lastKey());
        if (!value.isString() || value.asString().isEmpty()) return Optional.empty();
        try {
            return Optional.of(SecretRef.parse(value.asString()));
        } catch (IllegalArgumentException e) {
            // SecretRef's messages name the scheme at most, never the value
            fail(at, e.getMessage() + ", got " + Describe.value(value, at));
            return Optional.empty();
        }
    }

    private Optional<String> text(JsonNode parent, KeyPath at) {
        JsonNode value = parent.path(at.lastKey());
        return value.isString() ? Optional.of(value.asString()) : Optional.empty();
    }

    private Optional<String> required(JsonNode parent, KeyPath at, String key, String expected) {
        JsonNode value = parent.path(key);
        if (value.isMissingNode() || value.isNull()) {
            fail(at.child(key), "missing, expected " + expected);
            return Optional.empty();
        }
        return value.isString() ? Optional.of(value.asString()) : Optional.empty();
    }

    private int requiredInt(JsonNode parent, KeyPath at, String key) {
        return (int) requiredValue(parent, at, key, "a whole number of tokens ≥ 1", JsonNode::isIntegralNumber, JsonNode::asDouble);
    }

    private double requiredNumber(JsonNode parent, KeyPath at, String key) {
        return requiredValue(parent, at, key, "a number", JsonNode::isNumber, JsonNode::asDouble);
    }

    private double requiredValue(JsonNode parent, KeyPath at, String key, String expected,
                                 java.util.function.Predicate<JsonNode> ok, Function<JsonNode, Double> read) {
        JsonNode value = parent.path(key);
        if (value.isMissingNode() || value.isNull()) {
            fail(at.child(key), "missing, expected " + expected);
            return -1;
        }
        return ok.test(value) ? read.apply(value) : -1;
    }

    private void fail(KeyPath path, String message) {
        if (reported.add(path.toString())) errors.add(merged.error(path, message));
    }
}
