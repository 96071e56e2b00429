package dev.ensemble.cli;

import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.config.ConfigLocator;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A LiteLLM proxy {@code config.yaml} as ensemble configuration: each {@code model_list} entry
 * (a deployment: {@code model_name} plus {@code litellm_params}) becomes a model on a provider,
 * {@code router_settings.fallbacks} become aliases (fallback chains), {@code litellm_settings.max_budget}
 * becomes {@code budget.daily_usd}. What has no counterpart is listed with its LiteLLM key and why.
 *
 * <p>Keys are copied only as references: {@code os.environ/X} becomes {@code env:X}; a literal key
 * in the file is never written or shown — it becomes a warning and an {@code env:} reference the
 * user must set. Models ensemble's catalog knows (same provider and wire name) take the catalog's
 * prices, limits and scores; others take {@code model_info} where given, else defaults that are
 * listed as warnings.
 */
final class LiteLlmImport {
    /** Something in the LiteLLM file, by key path (and line), and what became of it. */
    record Item(String key, int line, String why) {
        String where() {
            return line > 0 ? key + " (line " + line + ")" : key;
        }
    }

    record Result(Map<String, Object> config, List<Item> unmapped, List<Item> warnings, int providers, int models, int aliases) {}

    /** A LiteLLM provider prefix and how ensemble reaches it. */
    private record Kind(String prefix, String name, WireProtocol wire, String defaultBase, String keyEnv, boolean local) {}

    private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

    static {
        for (Kind k : List.of(
                new Kind("openai", "openai", WireProtocol.OPENAI_CHAT, "https://api.openai.com/v1", "OPENAI_API_KEY", false),
                new Kind("azure", "azure", WireProtocol.OPENAI_CHAT, null, "AZURE_API_KEY", false),
                new Kind("anthropic", "anthropic", WireProtocol.ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY", false),
                new Kind("gemini", "google", WireProtocol.GEMINI, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", false),
                new Kind("ollama", "ollama", WireProtocol.OLLAMA, "http://127.0.0.1:11434", null, true),
                new Kind("ollama_chat", "ollama", WireProtocol.OLLAMA, "http://127.0.0.1:11434", null, true),
                new Kind("hosted_vllm", "vllm", WireProtocol.OPENAI_CHAT, null, null, true),
                new Kind("lm_studio", "lmstudio", WireProtocol.OPENAI_CHAT, "http://127.0.0.1:1234/v1", null, true),
                new Kind("deepseek", "deepseek", WireProtocol.OPENAI_CHAT, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", false),
                new Kind("openrouter", "openrouter", WireProtocol.OPENAI_CHAT, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", false),
                new Kind("groq", "groq", WireProtocol.OPENAI_CHAT, "https://api.groq.com/openai/v1", "GROQ_API_KEY", false),
                new Kind("xai", "xai", WireProtocol.OPENAI_CHAT, "https://api.x.ai/v1", "XAI_API_KEY", false),
                new Kind("mistral", "mistral", WireProtocol.OPENAI_CHAT, "https://api.mistral.ai/v1", "MISTRAL_API_KEY", false))) {
            KINDS.put(k.prefix, k);
        }
    }

    private static final String WIRES = "ensemble speaks openai-chat, openai-responses, anthropic, gemini and ollama; put an "
            + "OpenAI-compatible proxy in front and import it as openai/NAME with api_base";
    private static final Set<String> PARAMS_HANDLED = Set.of("model", "api_base", "api_key", "max_parallel_requests", "rpm", "tpm",
            "api_version");

    /** A provider as ensemble will have it; {@code builtin} when the built-in catalog's own is used unchanged. */
    private static final class Provider {
        String name;
        final WireProtocol wire;
        final String baseUrl;
        final String keyRef;
        final boolean local;
        int maxConcurrency;
        boolean builtin;

        Provider(WireProtocol wire, String baseUrl, String keyRef, boolean local) {
            this.wire = wire;
            this.baseUrl = baseUrl;
            this.keyRef = keyRef;
            this.local = local;
        }

        boolean sameEndpoint(WireProtocol w, String base, String key) {
            return wire == w && baseUrl.equals(base) && java.util.Objects.equals(keyRef, key);
        }
    }

    private record Deployment(int index, String modelName, String wireName, Provider provider, JsonNode info, String kindPrefix) {}

    private final JsonNode root;
    private final ConfigLocator at;
    private final Catalog builtin;
    private final LocalDate today;
    private final List<Item> unmapped = new ArrayList<>();
    private final List<Item> warnings = new ArrayList<>();
    private final List<Provider> providers = new ArrayList<>();
    /** Literal keys found in the file (held in memory only) and the variable each must be set as. */
    private final Map<String, String> literalKeys = new java.util.HashMap<>();

    private LiteLlmImport(JsonNode root, ConfigLocator at, Catalog builtin, LocalDate today) {
        this.root = root;
        this.at = at;
        this.builtin = builtin;
        this.today = today;
    }

    static Result convert(JsonNode root, ConfigLocator at, Catalog builtin, LocalDate today) {
        return new LiteLlmImport(root, at, builtin, today).run();
    }

    private Result run() {
        for (var field : root.properties()) {
            switch (field.getKey()) {
                case "model_list", "router_settings", "litellm_settings" -> { }
                case "general_settings" -> generalSettings(field.getValue());
                case "environment_variables" -> unmapped("environment_variables", "values not copied: set these variables in the "
                        + "environment ensemble runs in");
                default -> unmapped(field.getKey(), "not a LiteLLM section ensemble knows");
            }
        }
        List<Deployment> deployments = deployments(root.path("model_list"));
        Map<String, List<String>> fallbacks = fallbacks(deployments);
        Map<String, Object> config = new LinkedHashMap<>();

        // a model_name with several deployments, or with fallbacks, becomes an alias; its deployments get ids of their own
        Map<String, List<Deployment>> groups = new LinkedHashMap<>();
        deployments.forEach(d -> groups.computeIfAbsent(d.modelName, k -> new ArrayList<>()).add(d));
        Map<String, List<String>> idsOfGroup = new LinkedHashMap<>();
        Map<String, Object> models = new LinkedHashMap<>();
        Set<String> taken = new LinkedHashSet<>(builtin.aliases().keySet());
        for (var group : groups.entrySet()) {
            boolean alias = group.getValue().size() > 1 || fallbacks.containsKey(group.getKey());
            List<String> ids = new ArrayList<>();
            for (Deployment d : group.getValue()) {
                String id = alias ? group.getKey() + "@" + d.provider.name : group.getKey();
                if (taken.contains(id)) id = id + "-litellm";
                for (int n = 2; models.containsKey(id); n++) id = group.getKey() + "@" + d.provider.name + "-" + n;
                models.put(id, model(d, id));
                ids.add(id);
            }
            idsOfGroup.put(group.getKey(), ids);
            if (group.getValue().size() > 1) {
                warn("model_list", "the " + group.getValue().size() + " deployments of '" + group.getKey() + "' are tried in order "
                        + "(an ensemble fallback chain), not load-balanced as LiteLLM does");
            }
        }
        Map<String, Object> aliases = new LinkedHashMap<>();
        for (var group : idsOfGroup.entrySet()) {
            if (!group.getValue().getFirst().equals(group.getKey())) aliases.put(group.getKey(), new ArrayList<>(group.getValue()));
        }
        fallbacks.forEach((name, targets) -> {
            @SuppressWarnings("unchecked")
            List<String> chain = (List<String>) aliases.get(name);
            if (chain == null) return;
            for (String target : targets) {
                // the fallback's own deployments, not its alias: LiteLLM does not follow a fallback's fallbacks
                for (String id : idsOfGroup.getOrDefault(target, List.of())) if (!chain.contains(id)) chain.add(id);
            }
        });

        Map<String, Object> providerTree = new LinkedHashMap<>();
        for (Provider p : providers) {
            if (p.builtin && p.maxConcurrency == 0) continue;
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("wire", p.wire.key());
            spec.put("base_url", p.baseUrl);
            if (p.keyRef != null) spec.put("api_key", p.keyRef);
            if (p.local) spec.put("local", true);
            if (p.maxConcurrency > 0) spec.put("max_concurrency", p.maxConcurrency);
            providerTree.put(p.name, spec);
        }
        if (!providerTree.isEmpty()) config.put("providers", providerTree);
        if (!models.isEmpty()) config.put("models", models);
        if (!aliases.isEmpty()) config.put("aliases", aliases);
        routerSettings(config);
        litellmSettings(config);
        return new Result(config, List.copyOf(unmapped), List.copyOf(warnings), providerTree.size(), models.size(), aliases.size());
    }

    // ------------------------------------------------------------------ model_list

    private List<Deployment> deployments(JsonNode list) {
        List<Deployment> out = new ArrayList<>();
        if (!list.isArray()) {
            if (!list.isMissingNode()) unmapped("model_list", "expected a list of { model_name, litellm_params }");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String key = "model_list[" + i + "]";
            JsonNode entry = list.get(i);
            String name = entry.path("model_name").isString() ? entry.path("model_name").asString().strip() : "";
            JsonNode params = entry.path("litellm_params");
            String model = params.path("model").isString() ? params.path("model").asString().strip() : "";
            if (name.isEmpty() || model.isEmpty()) {
                unmapped(key, "needs model_name and litellm_params.model");
                continue;
            }
            if (name.equals("*") || model.endsWith("/*")) {
                unmapped(key, "a wildcard route (" + model + "): ensemble's catalog names each model");
                continue;
            }
            int slash = model.indexOf('/');
            String prefix = slash > 0 ? model.substring(0, slash).toLowerCase(Locale.ROOT) : inferPrefix(model);
            String wireName = slash > 0 ? model.substring(slash + 1) : model;
            Kind kind = prefix == null ? null : KINDS.get(prefix);
            if (kind == null) {
                unmapped(key + ".litellm_params.model", prefix == null
                        ? "\"" + model + "\" names no provider (write it as provider/model)"
                        : "provider '" + prefix + "' has no ensemble counterpart: " + WIRES);
                continue;
            }
            Optional<Provider> provider = provider(kind, key + ".litellm_params", params, name);
            if (provider.isEmpty()) continue;
            params.properties().forEach(p -> {
                String pk = key + ".litellm_params." + p.getKey();
                switch (p.getKey()) {
                    case "rpm", "tpm" -> unmapped(pk, "ensemble limits calls in flight per provider (max_concurrency), not "
                            + "requests or tokens per minute; a virtual key takes --rpm");
                    case "api_version" -> unmapped(pk, "dropped: ensemble calls Azure's v1 API (/openai/v1), which takes no api-version");
                    default -> {
                        if (!PARAMS_HANDLED.contains(p.getKey())) unmapped(pk, "ensemble has no per-model '" + p.getKey() + "' setting");
                    }
                }
            });
            out.add(new Deployment(i, name, wireName, provider.get(), entry.path("model_info"), prefix));
        }
        return out;
    }

    /** LiteLLM guesses the provider of a bare model name; the two guesses that are safe to repeat. */
    private static String inferPrefix(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("gpt-") || m.matches("o[1-9].*") || m.startsWith("chatgpt")) return "openai";
        if (m.startsWith("claude")) return "anthropic";
        return null;
    }

    private Optional<Provider> provider(Kind kind, String key, JsonNode params, String modelName) {
        String base = kind.defaultBase;
        JsonNode apiBase = params.path("api_base");
        if (apiBase.isString() && !apiBase.asString().isBlank()) {
            String text = apiBase.asString().strip();
            if (text.startsWith("os.environ/")) {
                unmapped(key + ".api_base", "read from the environment (" + text + ") when LiteLLM starts; write the URL itself "
                        + "as base_url in ensemble");
                return Optional.empty();
            }
            if (!text.matches("https?://.+")) {
                unmapped(key + ".api_base", "expected an http:// or https:// URL");
                return Optional.empty();
            }
            base = text.replaceAll("/+$", "");
            if (kind.prefix.equals("azure")) {
                base = base.replaceAll("/openai(/v1)?$", "") + "/openai/v1";
                warn(key + ".api_base", "Azure is called through its v1 API (" + base + "), whose model name is the deployment name");
            }
        }
        if (base == null) {
            unmapped(key + ".api_base", "missing: a " + kind.prefix + " deployment needs its URL");
            return Optional.empty();
        }
        boolean customBase = apiBase.isString() && !apiBase.asString().isBlank();
        String keyRef = keyRef(kind, key + ".api_key", params.path("api_key"), customBase, modelName);
        boolean local = kind.local || isLoopback(base);
        WireProtocol wire = kind.wire;
        // the built-in provider of the same name, unchanged: no entry written (OpenAI's is the Responses wire, same models)
        String url = base;
        Optional<ProviderSpec> same = builtin.provider(kind.name)
                .filter(b -> !customBase || sameHost(b.baseUrl(), url))
                .filter(b -> b.apiKey().map(SecretRef::toString).orElse(null) == null ? keyRef == null
                        : b.apiKey().map(SecretRef::toString).get().equals(keyRef));
        for (Provider p : providers) {
            if (same.isPresent() && p.builtin && p.name.equals(kind.name)) return withLimit(p, params, key);
            if (!p.builtin && p.sameEndpoint(wire, base, keyRef)) return withLimit(p, params, key);
        }
        Provider p;
        if (same.isPresent()) {
            p = new Provider(same.get().wire(), same.get().baseUrl(), keyRef, same.get().local());
            p.builtin = true;
            p.name = kind.name;
        } else {
            p = new Provider(wire, base, keyRef, local);
            // an OpenAI-compatible server of one's own (vLLM, LM Studio, a proxy) is named after its host
            p.name = freeName(customBase && kind.prefix.equals("openai") ? "openai-" + hostLabel(base) : kind.name);
        }
        providers.add(p);
        return withLimit(p, params, key);
    }

    private Optional<Provider> withLimit(Provider p, JsonNode params, String key) {
        JsonNode limit = params.path("max_parallel_requests");
        if (limit.isIntegralNumber() && limit.asInt() > 0) {
            if (p.maxConcurrency > 0 && p.maxConcurrency != limit.asInt()) {
                warn(key + ".max_parallel_requests", "deployments on provider '" + p.name + "' differ; ensemble keeps the "
                        + "smallest, " + Math.min(p.maxConcurrency, limit.asInt()) + ", for the whole provider");
            }
            p.maxConcurrency = p.maxConcurrency == 0 ? limit.asInt() : Math.min(p.maxConcurrency, limit.asInt());
        }
        return Optional.of(p);
    }

    private String freeName(String wanted) {
        String name = wanted;
        for (int n = 2; builtin.providers().containsKey(name) || taken(name); n++) name = wanted + "-" + n;
        return name;
    }

    private boolean taken(String name) {
        return providers.stream().anyMatch(p -> p.name.equals(name));
    }

    /** {@code os.environ/X} → {@code env:X}; none → the provider's usual variable; a literal → a warning and a reference to set. */
    private String keyRef(Kind kind, String key, JsonNode value, boolean customBase, String modelName) {
        if (!value.isString() || value.asString().isBlank()) return customBase ? null : envRef(kind.keyEnv);
        String text = value.asString().strip();
        if (text.startsWith("os.environ/") && text.length() > "os.environ/".length()) {
            String variable = text.substring("os.environ/".length());
            if (variable.matches("[A-Za-z_][A-Za-z0-9_]*")) return "env:" + variable;
        }
        // the value itself is never written nor shown; the same literal gets the same variable, another one its own
        String variable = literalKeys.get(text);
        if (variable == null) {
            String base = modelName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_").replaceAll("^_+|_+$", "");
            variable = (base.isEmpty() || Character.isDigit(base.charAt(0)) ? "LITELLM_" + base : base) + "_API_KEY";
            for (int n = 2; literalKeys.containsValue(variable); n++) variable = base + "_" + n + "_API_KEY";
            literalKeys.put(text, variable);
        }
        warn(key, "a key written into the file was not copied; set it as the environment variable " + variable
                + " (or change the reference to keychain:/pass:/file:)");
        return "env:" + variable;
    }

    private static String envRef(String variable) {
        return variable == null ? null : "env:" + variable;
    }

    private Map<String, Object> model(Deployment d, String id) {
        Optional<ModelSpec> known = builtin.models().values().stream()
                .filter(m -> m.wireName().equals(d.wireName) || m.id().equals(d.wireName))
                // the same service: the built-in provider itself, or one at the same host with the same wire
                .filter(m -> builtin.provider(m.provider()).map(p -> p.name().equals(d.provider.name)
                        || p.wire() == d.provider.wire && sameHost(p.baseUrl(), d.provider.baseUrl)).orElse(false))
                .findFirst();
        String key = "model_list[" + d.index + "]";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", d.provider.name);
        m.put("wire_name", d.wireName);
        m.put("family", known.map(ModelSpec::family).orElse(family(d.wireName)));
        JsonNode info = d.info;
        int context = intOf(info, "max_input_tokens", known.map(ModelSpec::contextWindow).orElse(0));
        int output = intOf(info, "max_output_tokens", intOf(info, "max_tokens", known.map(ModelSpec::maxOutputTokens).orElse(0)));
        if (context <= 0 || output <= 0) {
            context = context > 0 ? context : d.provider.local ? 32_768 : 128_000;
            output = output > 0 ? output : d.provider.local ? 4096 : 8192;
            warn(key, "'" + id + "' is not in ensemble's catalog: context_window " + context + " and max_output " + output
                    + " are guesses; set models." + id + " to the model's real limits");
        }
        m.put("context_window", context);
        m.put("max_output", output);
        known.filter(k -> k.tokensPerSecond() > 0).ifPresent(k -> m.put("tokens_per_second", k.tokensPerSecond()));
        if (d.provider.local) m.put("local", true);
        boolean tools = info.path("supports_function_calling").isBoolean() ? info.path("supports_function_calling").asBoolean()
                : known.map(ModelSpec::supportsTools).orElse(!d.provider.local);
        m.put("tools", tools);
        m.put("pricing", pricing(d, id, known, key));
        known.filter(k -> !k.capabilities().isEmpty()).ifPresent(k -> {
            Map<String, Object> caps = new LinkedHashMap<>();
            for (TaskKind kind : TaskKind.values()) {
                Capability c = k.capabilities().get(kind);
                if (c != null) caps.put(kind.key(), Map.of("score", c.score(), "benchmark", c.benchmark()));
            }
            m.put("capabilities", caps);
        });
        return m;
    }

    private Map<String, Object> pricing(Deployment d, String id, Optional<ModelSpec> known, String key) {
        Map<String, Object> p = new LinkedHashMap<>();
        JsonNode info = d.info;
        if (info.path("input_cost_per_token").isNumber() && info.path("output_cost_per_token").isNumber()) {
            double in = info.path("input_cost_per_token").asDouble() * 1e6;
            double out = info.path("output_cost_per_token").asDouble() * 1e6;
            p.put("input", round(in));
            p.put("output", round(out));
            p.put("cached_input", info.path("cache_read_input_token_cost").isNumber()
                    ? round(info.path("cache_read_input_token_cost").asDouble() * 1e6) : round(in));
            p.put("source", "LiteLLM model_info of " + d.modelName);
            p.put("as_of", today.toString());
        } else if (known.isPresent()) {
            var k = known.get().pricing();
            p.put("input", k.inputPerMtok());
            p.put("output", k.outputPerMtok());
            p.put("cached_input", k.cachedInputPerMtok());
            p.put("source", k.source());
            p.put("as_of", k.asOf().toString());
        } else {
            p.put("input", 0);
            p.put("output", 0);
            p.put("cached_input", 0);
            p.put("source", d.provider.local ? "self-hosted" : "unknown: imported from LiteLLM without a price");
            p.put("as_of", today.toString());
            if (!d.provider.local) {
                warn(key, "'" + id + "' has no price (no model_info costs, not in ensemble's catalog): budgets count it as $0 "
                        + "until you set models." + id + ".pricing");
            }
        }
        return p;
    }

    // ------------------------------------------------------------------ settings

    /** Fallbacks between model_names that were imported; the others are listed. */
    private Map<String, List<String>> fallbacks(List<Deployment> deployments) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        deployments.forEach(d -> names.add(d.modelName));
        for (String section : List.of("router_settings", "litellm_settings")) {
            JsonNode list = root.path(section).path("fallbacks");
            if (list.isMissingNode() || list.isNull()) continue;
            String key = section + ".fallbacks";
            if (!list.isArray()) {
                unmapped(key, "expected a list such as [{gpt-4o: [claude-sonnet]}]");
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode entry = list.get(i);
                if (!entry.isObject()) {
                    unmapped(key + "[" + i + "]", "expected a mapping from a model_name to its fallbacks");
                    continue;
                }
                for (var f : entry.properties()) {
                    String from = f.getKey();
                    String at = key + "[" + i + "]." + from;
                    if (!names.contains(from)) {
                        unmapped(at, "'" + from + "' is not an imported model_name of model_list");
                        continue;
                    }
                    List<String> targets = out.computeIfAbsent(from, k -> new ArrayList<>());
                    JsonNode to = f.getValue();
                    for (int j = 0; to.isArray() && j < to.size(); j++) {
                        String target = to.get(j).asString("");
                        if (names.contains(target) && !target.equals(from)) targets.add(target);
                        else unmapped(at + "[" + j + "]", "'" + target + "' is not another imported model_name of model_list");
                    }
                }
            }
        }
        out.values().removeIf(List::isEmpty);
        return out;
    }

    private void routerSettings(Map<String, Object> config) {
        JsonNode router = root.path("router_settings");
        if (!router.isObject()) return;
        for (var f : router.properties()) {
            String key = "router_settings." + f.getKey();
            switch (f.getKey()) {
                case "fallbacks" -> { }
                case "num_retries" -> {
                    if (f.getValue().isIntegralNumber() && f.getValue().asInt() >= 0 && f.getValue().asInt() < 1000) {
                        config.put("retry", Map.of("max_attempts", f.getValue().asInt() + 1));
                    } else {
                        unmapped(key, "expected a whole number of retries");
                    }
                }
                case "context_window_fallbacks", "content_policy_fallbacks" ->
                        unmapped(key, "ensemble's chains fall over on errors and timeouts, not on the kind of error");
                case "routing_strategy" -> unmapped(key, "ensemble routes by task (the router), or tries a chain in order");
                default -> unmapped(key, "no counterpart in ensemble");
            }
        }
    }

    private void litellmSettings(Map<String, Object> config) {
        JsonNode settings = root.path("litellm_settings");
        if (!settings.isObject()) return;
        JsonNode budget = settings.path("max_budget");
        for (var f : settings.properties()) {
            String key = "litellm_settings." + f.getKey();
            switch (f.getKey()) {
                case "fallbacks", "budget_duration" -> { }
                case "max_budget" -> {
                    if (!budget.isNumber() || budget.asDouble() < 0) {
                        unmapped(key, "expected an amount in USD");
                        continue;
                    }
                    Optional<Double> days = days(settings.path("budget_duration"));
                    if (days.isEmpty()) {
                        unmapped(key, "a budget without a duration (or under a day) never resets; ensemble's budgets are per day, "
                                + "run and task: set budget.daily_usd yourself");
                    } else {
                        double daily = round(budget.asDouble() / days.get());
                        config.put("budget", Map.of("daily_usd", daily));
                        if (days.get() > 1) {
                            warn(key, "$" + budget.asDouble() + " per " + settings.path("budget_duration").asString()
                                    + " became budget.daily_usd " + daily + " (the same total, spread evenly over the days)");
                        }
                    }
                }
                default -> unmapped(key, "no counterpart in ensemble");
            }
        }
    }

    private void generalSettings(JsonNode general) {
        for (var f : general.properties()) {
            String key = "general_settings." + f.getKey();
            switch (f.getKey()) {
                case "master_key" -> unmapped(key, "not copied: the gateway's operator key is ENSEMBLE_TOKEN; clients get "
                        + "`ensemble keys create`");
                case "database_url" -> unmapped(key, "not copied (it may hold a password): ensemble's store is store.url "
                        + "(jdbc:postgresql://…) with store.password as a reference");
                default -> unmapped(key, "no counterpart in ensemble");
            }
        }
    }

    /** 1d, 24h, 30d, 1mo → days; empty for none or under a day. */
    private static Optional<Double> days(JsonNode duration) {
        if (!duration.isString()) return Optional.empty();
        var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|h|d|w|mo)").matcher(duration.asString().strip());
        if (!m.matches()) return Optional.empty();
        double n = Double.parseDouble(m.group(1));
        double d = switch (m.group(2)) {
            case "s" -> n / 86_400;
            case "m" -> n / 1440;
            case "h" -> n / 24;
            case "d" -> n;
            case "w" -> n * 7;
            default -> n * 30;
        };
        return d >= 1 ? Optional.of(d) : Optional.empty();
    }

    private static int intOf(JsonNode info, String field, int fallback) {
        JsonNode v = info.path(field);
        return v.isIntegralNumber() && v.asLong() > 0 && v.asLong() <= Integer.MAX_VALUE ? v.asInt() : fallback;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static String family(String wireName) {
        String n = wireName.toLowerCase(Locale.ROOT);
        for (String f : List.of("claude", "gpt", "gemini", "gemma", "qwen", "llama", "deepseek", "mistral", "mixtral", "phi", "grok")) {
            if (n.contains(f)) return f;
        }
        if (n.matches("(.*/)?o[1-9].*")) return "gpt";
        return "other";
    }

    private static boolean isLoopback(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String hostLabel(String url) {
        try {
            String host = URI.create(url).getHost();
            if (host == null || isLoopback(url)) return "local";
            if (host.matches("[0-9.]+|\\[.*]")) return host.replaceAll("[^0-9a-f]+", "-").replaceAll("^-|-$", "");
            String label = host.split("\\.")[0].toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
            return label.isEmpty() ? "server" : label;
        } catch (IllegalArgumentException e) {
            return "server";
        }
    }

    private static boolean sameHost(String a, String b) {
        try {
            URI x = URI.create(a);
            URI y = URI.create(b);
            String hx = isLoopback(a) ? "loopback" : x.getHost();
            String hy = isLoopback(b) ? "loopback" : y.getHost();
            return java.util.Objects.equals(hx, hy) && x.getPort() == y.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void unmapped(String key, String why) {
        unmapped.add(new Item(key, line(key), why));
    }

    private void warn(String key, String why) {
        warnings.add(new Item(key, line(key), why));
    }

    private int line(String key) {
        try {
            return at.locate(key).line();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
