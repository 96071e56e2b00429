package dev.ensemble.core.config;

import java.util.ArrayList;
import tools.jackson.databind.node.ObjectNode;

/**
 * One YAML text read the way configuration files are (YAML 1.2 core schema, duplicate keys
 * refused), with a locator for its keys: for settings shipped as resources in the configuration's
 * own format, whose errors should point at a line as a user's file would.
 */
public record LocatedYaml(ObjectNode tree, ConfigLocator locator) {
    /** @throws ConfigException for a syntax error, a duplicate key, or a document that is not a mapping */
    public static LocatedYaml read(String source, String text) {
        Layer layer = YamlLayers.read(source, text);
        if (!layer.problems().isEmpty()) throw new ConfigException(new ArrayList<>(layer.problems()));
        return new LocatedYaml(layer.tree(), key -> layer.originOf(KeyPath.parse(key, layer.tree())));
    }
}
