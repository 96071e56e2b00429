package dev.ensemble.core.config;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One source of settings (the built-in catalog, a file, the environment) as a JSON tree, with the
 * origin of every key in it so that any later complaint can point at a line.
 *
 * @param problems what was wrong in the source beyond what the schema can see (duplicate keys, …)
 */
record Layer(String source, ObjectNode tree, Map<KeyPath, Origin> origins, List<ConfigError> problems) {
    Layer {
        origins = Map.copyOf(origins);
        problems = List.copyOf(problems);
    }

    /** The origin of {@code path}, or of its nearest ancestor that has one. */
    Origin originOf(KeyPath path) {
        return originOf(origins, path, source);
    }

    static Origin originOf(Map<KeyPath, Origin> origins, KeyPath path, String fallbackSource) {
        for (KeyPath at = path; ; at = at.parent()) {
            Origin origin = origins.get(at);
            if (origin != null) return origin;
            if (at.isRoot()) return new Origin(fallbackSource, 0);
        }
    }
}
