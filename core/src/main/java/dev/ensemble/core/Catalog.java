package dev.ensemble.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every model, provider and alias ensemble can use: the built-in catalog with the user's
 * configuration laid over it. An alias is an ordered fallback chain of model ids (or other
 * aliases, expanded in place).
 */
public record Catalog(Map<String, ProviderSpec> providers, Map<String, ModelSpec> models, Map<String, List<String>> aliases) {

    public Catalog {
        providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
        Map<String, List<String>> copy = new LinkedHashMap<>();
        aliases.forEach((name, chain) -> copy.put(name, List.copyOf(chain)));
        aliases = java.util.Collections.unmodifiableMap(copy);
    }

    public Optional<ModelSpec> model(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public Optional<ProviderSpec> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public ProviderSpec providerOf(ModelSpec model) {
        ProviderSpec provider = providers.get(model.provider());
        if (provider == null) {
            throw new IllegalStateException("model " + model.id() + " names unknown provider " + model.provider());
        }
        return provider;
    }

    public boolean isAlias(String name) {
        return aliases.containsKey(name);
    }

    /**
     * The chain of models behind a name: a model id gives itself; an alias gives its chain with
     * nested aliases expanded and duplicates dropped (first occurrence wins).
     *
     * @throws IllegalArgumentException naming the unknown model or the alias cycle
     */
    public List<ModelSpec> resolve(String name) {
        List<ModelSpec> chain = new ArrayList<>();
        expand(name, chain, new ArrayList<>());
        return List.copyOf(chain);
    }

    private void expand(String name, List<ModelSpec> out, List<String> path) {
        if (path.contains(name)) {
            throw new IllegalArgumentException("alias cycle: " + String.join(" -> ", path) + " -> " + name);
        }
        ModelSpec model = models.get(name);
        if (model != null) {
            if (!out.contains(model)) out.add(model);
            return;
        }
        List<String> chain = aliases.get(name);
        if (chain == null) {
            throw new IllegalArgumentException("unknown model or alias '" + name + "' (see `ensemble models`)");
        }
        path.add(name);
        for (String step : chain) expand(step, out, path);
        path.remove(path.size() - 1);
    }
}
