package dev.ensemble.core.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The configuration's layers read once and checked ({@link ConfigLoader#snapshot()}): the catalog
 * settings bound, the problems found so far, and the merged sections with where each key was
 * written, for the features that read a section (budget, routing, roles, policy, pipelines) to
 * check it and report their errors in the same list, so one run of {@code config check} shows them all.
 */
public final class ConfigSnapshot {
    private final Merged merged;
    private final EnsembleConfig config;
    private final List<ConfigError> errors;
    private final UnaryOperator<List<ConfigError>> order;

    ConfigSnapshot(Merged merged, EnsembleConfig config, List<ConfigError> errors, UnaryOperator<List<ConfigError>> order) {
        this.merged = merged;
        this.config = config;
        this.errors = List.copyOf(errors);
        this.order = order;
    }

    /** False when a file could not be read or parsed: it contributes nothing, so its sections cannot be checked. */
    public boolean readable() {
        return merged != null;
    }

    /** The providers, models, aliases and settings, when nothing was wrong with them. */
    public Optional<EnsembleConfig> config() {
        return Optional.ofNullable(config);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    /** A section as merged from every layer; an empty mapping when absent or when nothing could be read. */
    public JsonNode section(String name) {
        JsonNode section = merged == null ? null : merged.tree().get(name);
        return section == null ? JsonNodeFactory.instance.objectNode() : section.deepCopy();
    }

    /** Where each key of the merged layers was written. */
    public ConfigLocator locator() {
        if (merged == null) return ConfigLocator.unplaced("configuration");
        return key -> merged.originOf(KeyPath.parse(key, merged.tree()));
    }

    /**
     * These errors and {@code more} (found by the features that read sections) as one exception, in
     * the order the layers apply; null when there are none. An error of {@code more} about a key
     * already reported, or inside one, is left out: the schema usually said it first, and better.
     */
    public ConfigException failure(List<ConfigError> more) {
        List<ConfigError> all = new ArrayList<>(errors);
        for (ConfigError extra : more) {
            boolean covered = errors.stream().anyMatch(e -> !e.key().isEmpty()
                    && (extra.key().equals(e.key()) || extra.key().startsWith(e.key() + ".") || extra.key().startsWith(e.key() + "[")));
            if (!covered) all.add(extra);
        }
        all = oncePerKey(all);
        return all.isEmpty() ? null : new ConfigException(order.apply(all));
    }

    /** The first error for each file, line and key: a value refused while reading is not refused again by the schema. */
    static List<ConfigError> oncePerKey(List<ConfigError> errors) {
        Set<String> seen = new HashSet<>();
        List<ConfigError> out = new ArrayList<>();
        for (ConfigError e : errors) {
            if (e.key().isEmpty() || seen.add(e.source() + "\u0000" + e.line() + "\u0000" + e.key())) out.add(e);
        }
        return out;
    }
}
