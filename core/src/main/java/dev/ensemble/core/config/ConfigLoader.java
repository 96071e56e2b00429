package dev.ensemble.core.config;

import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Loads ensemble's configuration in layers, later ones winning: the built-in catalog, the user's
 * file, the repository's {@code ensemble.yaml}, then {@code ENSEMBLE_*} environment variables.
 * Mappings merge key by key (so a model override may give only the fields it changes); lists, such
 * as alias chains, are replaced whole. Loading reads files and never writes anything.
 *
 * <p>Every problem in every layer is collected and reported together, each naming the file (or
 * variable), the line and the dotted key, and what was expected.
 */
public final class ConfigLoader {
    public static final String REPO_FILE = "ensemble.yaml";

    private final Path userConfig;
    private final Path repoConfig;
    private final Map<String, String> env;

    /** Either path may be null or name a file that does not exist: that layer is skipped. */
    public ConfigLoader(Path userConfig, Path repoConfig, Map<String, String> env) {
        this.userConfig = userConfig;
        this.repoConfig = repoConfig;
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    }

    /** The user's file, the repository's {@code ensemble.yaml} and the process environment. */
    public static ConfigLoader standard(Path repoRoot) {
        Map<String, String> env = System.getenv();
        return new ConfigLoader(userConfigPath(env), repoRoot.resolve(REPO_FILE), env);
    }

    /** {@code $XDG_CONFIG_HOME/ensemble/config.yaml}, else {@code ~/.config/ensemble/config.yaml}. */
    public static Path userConfigPath(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("ensemble").resolve("config.yaml");
    }

    /** The environment this loader reads ({@code ENSEMBLE_*}, {@code OLLAMA_HOST}); secrets resolve against the same. */
    public Map<String, String> env() {
        return env;
    }

    /** @throws ConfigException listing every problem found in every layer */
    public EnsembleConfig load() {
        List<ConfigError> errors = new ArrayList<>();
        List<Layer> layers = layers(errors);
        boolean unreadable = !errors.isEmpty();
        for (Layer layer : layers) {
            errors.addAll(layer.problems());
            if (layer != BuiltinCatalog.layer()) errors.addAll(SchemaCheck.instance().check(layer));
        }
        if (unreadable) {
            // a file that could not be parsed contributes nothing, so cross-references would mislead
            throw new ConfigException(inLayerOrder(errors));
        }
        Set<String> reported = new HashSet<>();
        errors.forEach(e -> reported.add(e.key()));
        Binder binder = new Binder(Merged.of(layers), reported);
        EnsembleConfig config = binder.bind(layers.stream().map(Layer::source).toList());
        errors.addAll(binder.errors());
        if (!errors.isEmpty()) throw new ConfigException(inLayerOrder(errors));
        return config;
    }

    /**
     * The merged configuration as YAML, for {@code ensemble config show}: secret references shown
     * as references, and any value that looks like a raw key masked. It is not validated (run
     * {@link #load()} for that), so it can show what a broken configuration adds up to.
     *
     * @throws ConfigException only when a file cannot be read or parsed
     */
    public String effectiveYaml() {
        List<ConfigError> errors = new ArrayList<>();
        List<Layer> layers = layers(errors);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        ObjectNode tree = Merged.of(layers).tree().deepCopy();
        mask(tree, KeyPath.ROOT);
        StringBuilder out = new StringBuilder("# ensemble configuration merged from (later layers win):\n");
        layers.forEach(layer -> out.append("#   ").append(layer.source()).append('\n'));
        YAMLMapper yaml = YAMLMapper.builder()
                .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
                .build();
        out.append(yaml.writeValueAsString(tree));
        return Redactor.global().redact(out.toString());
    }

    /**
     * A section kept for a later feature (roles, routing, budget, policy, notifications, agents,
     * pipelines, telegram, server) as merged from all layers; an empty mapping when absent. Read
     * after {@link #load()} succeeded: it is not validated beyond being a mapping.
     */
    public JsonNode section(String name) {
        List<ConfigError> errors = new ArrayList<>();
        List<Layer> layers = layers(errors);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        JsonNode section = Merged.of(layers).tree().get(name);
        return section == null ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode() : section.deepCopy();
    }

    /**
     * Where each setting of the merged layers was written, for errors found in a {@link
     * #section(String)} by the feature that reads it (roles, pipelines): such an error then names
     * the file, line and key as the loader's own do.
     *
     * @throws ConfigException only when a file cannot be read or parsed
     */
    public ConfigLocator locator() {
        List<ConfigError> errors = new ArrayList<>();
        List<Layer> layers = layers(errors);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        Merged merged = Merged.of(layers);
        return key -> merged.originOf(KeyPath.parse(key, merged.tree()));
    }

    /** The layers that exist, in order; read and syntax errors go to {@code errors}. */
    private List<Layer> layers(List<ConfigError> errors) {
        List<Layer> layers = new ArrayList<>();
        layers.add(BuiltinCatalog.layer());
        Layer ollama = EnvLayer.ollamaHost(env);
        if (ollama != null) layers.add(ollama);
        for (Path file : new Path[] {userConfig, repoConfig}) {
            if (file == null || !Files.exists(file)) continue;
            String source = file.toString();
            try {
                layers.add(YamlLayers.read(source, Files.readString(file)));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            } catch (CharacterCodingException e) {
                errors.add(new ConfigError(source, 0, "", "expected UTF-8 text, found bytes that are not"));
            } catch (IOException e) {
                errors.add(new ConfigError(source, 0, "", "cannot be read: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage())));
            }
        }
        Layer variables = EnvLayer.ensembleVariables(env);
        if (variables != null) layers.add(variables);
        return layers;
    }

    /** Errors grouped by layer in the order layers apply, then by line (a stable sort). */
    private List<ConfigError> inLayerOrder(List<ConfigError> errors) {
        Map<String, Integer> rank = new java.util.HashMap<>();
        rank.put(BuiltinCatalog.SOURCE, 0);
        rank.put(EnvLayer.sourceOf(EnvLayer.OLLAMA_HOST), 1);
        rank.put(String.valueOf(userConfig), 2);
        rank.put(String.valueOf(repoConfig), 3);
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(java.util.Comparator.<ConfigError>comparingInt(e -> rank.getOrDefault(e.source(), 4))
                .thenComparingInt(ConfigError::line));
        return sorted;
    }

    private static void mask(JsonNode node, KeyPath path) {
        if (node instanceof ObjectNode object) {
            for (String key : new ArrayList<>(object.propertyNames())) {
                JsonNode child = object.get(key);
                KeyPath childPath = path.child(key);
                if (child.isString() && RawSecrets.mustMask(childPath, child.asString())) {
                    object.put(key, Redactor.MASK);
                } else {
                    mask(child, childPath);
                }
            }
        } else if (node instanceof tools.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                if (child.isString() && RawSecrets.mustMask(path.index(i), child.asString())) {
                    array.set(i, tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(Redactor.MASK));
                } else {
                    mask(child, path.index(i));
                }
            }
        }
    }
}
