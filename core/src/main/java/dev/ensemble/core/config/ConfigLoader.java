package dev.ensemble.core.config;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.UserDirs;
import dev.ensemble.core.io.BoundedText;
import dev.ensemble.core.io.ParseLimits;
import java.io.IOException;
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

    /** The environment this loader reads (the process's, or the one a test or an embedding gave it). */
    public Map<String, String> environment() {
        return env;
    }

    /**
     * Whether {@code source} (as {@link Origin#source()} names a layer) is the repository's {@code
     * ensemble.yaml}: a file anyone who can push to the repository writes, so settings that choose
     * where data goes (telemetry destinations) are not taken from it.
     */
    public boolean isRepositoryLayer(String source) {
        return repoConfig != null && repoConfig.toString().equals(source);
    }

    /** The user's file, the repository's {@code ensemble.yaml} and the process environment. */
    public static ConfigLoader standard(Path repoRoot) {
        return standard(repoRoot, System.getenv());
    }

    /** The user's file (found through {@code env}: {@link UserDirs}), the repository's {@code ensemble.yaml}, and {@code env}. */
    public static ConfigLoader standard(Path repoRoot, Map<String, String> env) {
        return new ConfigLoader(userConfigPath(env), repoRoot.resolve(REPO_FILE), env);
    }

    /**
     * {@code $XDG_CONFIG_HOME/ensemble/config.yaml}, else {@code ~/.config/ensemble/config.yaml} with
     * {@code ~} from {@code $HOME} (not the password database the JVM asks).
     */
    public static Path userConfigPath(Map<String, String> env) {
        return new UserDirs(env).userConfigFile();
    }

    /** @throws ConfigException listing every problem found in every layer */
    public EnsembleConfig load() {
        ConfigSnapshot snapshot = snapshot();
        ConfigException failure = snapshot.failure(List.of());
        if (failure != null) throw failure;
        return snapshot.config().orElseThrow();
    }

    /**
     * Every layer read once and checked (syntax, limits, the schema of every section, the catalog's
     * cross-references), with what a feature that reads a section needs to check it further and
     * report its errors together with these: the merged sections and where each key was written.
     */
    public ConfigSnapshot snapshot() {
        List<ConfigError> errors = new ArrayList<>();
        List<Layer> layers = layers(errors);
        boolean unreadable = !errors.isEmpty();
        for (Layer layer : layers) {
            errors.addAll(layer.problems());
            if (layer != BuiltinCatalog.layer()) errors.addAll(SchemaCheck.instance().check(layer));
        }
        errors = ConfigSnapshot.oncePerKey(errors);
        if (unreadable) {
            // a file that could not be parsed contributes nothing, so cross-references would mislead
            return new ConfigSnapshot(null, null, errors, this::inLayerOrder);
        }
        Set<String> reported = new HashSet<>();
        errors.forEach(e -> reported.add(e.key()));
        Merged merged = Merged.of(layers);
        Binder binder = new Binder(merged, reported);
        EnsembleConfig config = binder.bind(layers.stream().map(Layer::source).toList());
        errors.addAll(binder.errors());
        return new ConfigSnapshot(merged, errors.isEmpty() ? config : null, errors, this::inLayerOrder);
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
     * A section read by a feature outside the catalog (roles, routing, budget, policy, pipelines,
     * and the reserved notifications, agents, telegram, server) as merged from all layers; an empty
     * mapping when absent. The schema checks its shape in {@link #load()}; prefer {@link #snapshot()},
     * which reads the files once and gives the sections with their locator.
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
                layers.add(YamlLayers.read(source, BoundedText.read(file, ParseLimits.MAX_FILE_BYTES)));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            } catch (BoundedText.InputLimitException e) {
                errors.add(new ConfigError(source, 0, "", e.getMessage()));
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
    List<ConfigError> inLayerOrder(List<ConfigError> errors) {
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
