package dev.ensemble.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ENSEMBLE_*} variables as a layer: the name after the prefix, split at double
 * underscores and lower-cased, is the key path ({@code ENSEMBLE_TIMEOUTS__TOTAL=5m} sets
 * {@code timeouts.total}); each value is read as a YAML scalar. A name that maps to no setting is
 * reported by the schema check, with the variable as the source.
 */
final class EnvLayer {
    static final String PREFIX = "ENSEMBLE_";
    static final String OLLAMA_HOST = "OLLAMA_HOST";

    /**
     * Variables of the launcher and of development tools, not settings: read by ./ensemble,
     * bin/find-jdk.sh, .ci scripts and error reporting, so they are not part of the configuration.
     * {@code ENSEMBLE_TOKEN} is the gateway's operator token, a secret read by the gateway alone:
     * never a setting, and never echoed into a configuration error.
     */
    static final Set<String> NOT_SETTINGS = Set.of("ENSEMBLE_JAVA_OPTS", "ENSEMBLE_REBUILD", "ENSEMBLE_NO_BUILD",
            "ENSEMBLE_MIN_JAVA", "ENSEMBLE_DEBUG", "ENSEMBLE_AGENT_CLI_CACHE", "ENSEMBLE_AGENT_VERSION_TIMEOUT", "ENSEMBLE_HOME",
            "ENSEMBLE_TOKEN",
            // CI's switch that turns a skipped sandbox test into a failure, the launcher's marker on
            // every child it starts, and the gateway client libraries' install folder
            "ENSEMBLE_REQUIRE_SANDBOX", "ENSEMBLE_LAUNCH", "ENSEMBLE_GATEWAY_CLIENTS_CACHE");

    private EnvLayer() {
    }

    static String sourceOf(String variable) {
        return "environment variable " + variable;
    }

    /** The layer, or null when no variable is set. */
    static Layer ensembleVariables(Map<String, String> env) {
        Map<String, String> ours = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(PREFIX) && !NOT_SETTINGS.contains(name)) ours.put(name, value);
        });
        if (ours.isEmpty()) return null;
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        Map<KeyPath, Origin> origins = new HashMap<>();
        List<ConfigError> problems = new ArrayList<>();
        origins.put(KeyPath.ROOT, new Origin("environment", 0));
        for (Map.Entry<String, String> variable : ours.entrySet()) {
            String name = variable.getKey();
            Origin origin = new Origin(sourceOf(name), 0);
            String[] parts = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("__", -1);
            KeyPath path = KeyPath.ROOT;
            for (String part : parts) path = part.isEmpty() ? null : path == null ? null : path.child(part);
            if (path == null) {
                problems.add(origin.error(KeyPath.ROOT, "expected a name such as ENSEMBLE_DEFAULT_MODEL or "
                        + "ENSEMBLE_TIMEOUTS__TOTAL (sections separated by a double underscore)"));
                continue;
            }
            KeyPath at = path;
            set(tree, path, YamlLayers.scalar(variable.getValue(), message -> problems.add(origin.error(at, message))),
                    origin, origins, problems);
        }
        return new Layer("environment (" + String.join(", ", ours.keySet()) + ")", tree, origins, problems);
    }

    private static void set(ObjectNode tree, KeyPath path, JsonNode value, Origin origin,
                            Map<KeyPath, Origin> origins, List<ConfigError> problems) {
        ObjectNode at = tree;
        KeyPath walked = KeyPath.ROOT;
        List<Object> segments = path.segments();
        for (int i = 0; i < segments.size() - 1; i++) {
            String key = (String) segments.get(i);
            walked = walked.child(key);
            JsonNode next = at.get(key);
            if (next == null) {
                next = at.putObject(key);
                origins.put(walked, origin);
            } else if (!(next instanceof ObjectNode)) {
                problems.add(origin.error(path, "conflicts with " + origins.get(walked).source()
                        + ", which sets " + walked + " to a single value"));
                return;
            }
            at = (ObjectNode) next;
        }
        String last = (String) segments.getLast();
        if (at.get(last) instanceof ObjectNode) {
            problems.add(origin.error(path, "expected a section name followed by __KEY; " + path + " is a section"));
            return;
        }
        at.set(last, value);
        origins.put(path, origin);
    }

    /**
     * Ollama's own variable: {@code host:port}, {@code 0.0.0.0}, or a URL. Becomes the built-in
     * ollama provider's base URL; a base URL in a config file still wins.
     */
    static Layer ollamaHost(Map<String, String> env) {
        String host = env.get(OLLAMA_HOST);
        if (host == null || host.isBlank()) return null;
        String url = host.strip();
        if (!url.contains("://")) url = "http://" + url;
        int start = url.indexOf("://") + 3;
        int end = url.indexOf('/', start) < 0 ? url.length() : url.indexOf('/', start);
        String authority = url.substring(start, end);
        if (authority.equals("0.0.0.0") || authority.startsWith("0.0.0.0:")) {
            authority = "127.0.0.1" + authority.substring("0.0.0.0".length()); // a bind address, not a destination
        }
        if (!authority.matches(".*:\\d+")) authority = authority + ":11434";
        url = url.substring(0, start) + authority + url.substring(end);
        while (url.endsWith("/")) url = url.substring(0, url.length() - 1);
        Origin origin = new Origin(sourceOf(OLLAMA_HOST), 0);
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        tree.putObject("providers").putObject("ollama").put("base_url", url);
        KeyPath provider = KeyPath.of("providers", "ollama");
        Map<KeyPath, Origin> origins = Map.of(KeyPath.ROOT, origin, KeyPath.of("providers"), origin,
                provider, origin, provider.child("base_url"), origin);
        return new Layer(sourceOf(OLLAMA_HOST), tree, origins, List.of());
    }
}
