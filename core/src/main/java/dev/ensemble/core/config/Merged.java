package dev.ensemble.core.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Layers merged in order: mappings merge key by key, everything else (scalars, alias chains)
 * is replaced whole. Keeps, for every path, the origin a complaint about it should name: for a
 * mapping the layer that introduced it, for any other value the layer that last set it.
 */
final class Merged {
    private final ObjectNode tree;
    private final Map<KeyPath, Origin> origins = new HashMap<>();
    private final String firstSource;

    private Merged(ObjectNode tree, String firstSource) {
        this.tree = tree;
        this.firstSource = firstSource;
    }

    static Merged of(List<Layer> layers) {
        Merged merged = new Merged(tools.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                layers.isEmpty() ? "configuration" : layers.getFirst().source());
        for (Layer layer : layers) merged.mergeObject(merged.tree, layer.tree(), KeyPath.ROOT, layer);
        return merged;
    }

    ObjectNode tree() {
        return tree;
    }

    Origin originOf(KeyPath path) {
        return Layer.originOf(origins, path, firstSource);
    }

    ConfigError error(KeyPath path, String message) {
        return originOf(path).error(path, message);
    }

    private void mergeObject(ObjectNode into, ObjectNode from, KeyPath path, Layer layer) {
        origins.putIfAbsent(path, layer.originOf(path));
        for (Entry<String, JsonNode> field : from.properties()) {
            KeyPath child = path.child(field.getKey());
            JsonNode existing = into.get(field.getKey());
            JsonNode incoming = field.getValue();
            if (existing instanceof ObjectNode existingObject && incoming instanceof ObjectNode incomingObject) {
                mergeObject(existingObject, incomingObject, child, layer);
            } else {
                replace(into, field.getKey(), incoming, child, layer);
            }
        }
    }

    private void replace(ObjectNode into, String key, JsonNode incoming, KeyPath path, Layer layer) {
        origins.keySet().removeIf(p -> p.startsWith(path));
        layer.origins().forEach((p, origin) -> {
            if (p.startsWith(path)) origins.put(p, origin);
        });
        origins.putIfAbsent(path, layer.originOf(path));
        into.set(key, incoming.deepCopy());
    }
}
