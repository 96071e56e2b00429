package dev.ensemble.engine.pipeline;

import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import dev.ensemble.core.config.LocatedYaml;
import dev.ensemble.core.routing.Roles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The pipelines a user can run: the built-in ones (a resource in the configuration's own format)
 * with the {@code pipelines:} section of the configuration laid over them, a pipeline of the same
 * name replacing a built-in one whole.
 *
 * <pre>
 * pipelines:
 *   security-audit:
 *     description: "Find and audit the code that handles a concern"
 *     steps:
 *       - { role: librarian, name: find, prompt: "Find the code that handles {input}." }
 *       - { role: reviewer, name: audit, prompt: "Audit it for security: {previous}" }
 *     synthesis: { role: planner, prompt: "..." }   # optional: by default the planner combines {outputs}
 * </pre>
 *
 * A step may also be just a role id ({@code - reviewer}); its name defaults to the role id, and
 * its prompt to the request followed by the previous step's output. Every problem is reported
 * together, each naming the file, line and key.
 */
public final class Pipelines {
    static final String RESOURCE = "/dev/ensemble/engine/pipeline/pipelines.yaml";
    static final String SECTION = "pipelines";
    private static final Set<String> PIPELINE_KEYS = Set.of("description", "steps", "synthesis");
    private static final Set<String> STEP_KEYS = Set.of("role", "name", "prompt");
    private static final Set<String> SYNTHESIS_KEYS = Set.of("role", "prompt");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    static final String DEFAULT_SYNTHESIS_PROMPT = """
            Combine the team's work below into one result document for this request: {input}
            Start with a short summary, then the substance (plan, change, findings, verdicts), then open questions.
            Keep what each step established and resolve contradictions, saying how.

            {outputs}
            """;

    private final Map<String, PipelineDefinition> pipelines;
    private final Set<String> builtInNames;

    private Pipelines(Map<String, PipelineDefinition> pipelines, Set<String> builtInNames) {
        this.pipelines = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        this.builtInNames = Set.copyOf(builtInNames);
    }

    /** The built-in pipelines alone (feature, bugfix, review). */
    public static Pipelines builtIns(Roles roles) {
        return load(null, ConfigLocator.unplaced("configuration"), roles);
    }

    /**
     * The built-in pipelines with {@code section} (the merged {@code pipelines:} mapping; null or
     * empty means none) over them.
     *
     * @param locator where the section's keys were written (usually {@code ConfigLoader.locator()})
     * @param roles   the roles a step may name
     * @throws ConfigException listing every problem, each with file, line and key
     */
    public static Pipelines load(JsonNode section, ConfigLocator locator, Roles roles) {
        LocatedYaml builtIn = builtInYaml();
        List<ConfigError> errors = new ArrayList<>();
        Map<String, PipelineDefinition> all = new LinkedHashMap<>(
                parse(builtIn.tree().get(SECTION), builtIn.locator(), roles, true, errors));
        if (!errors.isEmpty()) throw new ConfigException(errors);  // a bug in the resource, caught by its test
        Set<String> builtInNames = Set.copyOf(all.keySet());
        if (section != null && !section.isNull() && !section.isMissingNode()) {
            all.putAll(parse(section, locator, roles, false, errors));
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new Pipelines(all, builtInNames);
    }

    public Optional<PipelineDefinition> find(String name) {
        return Optional.ofNullable(pipelines.get(name));
    }

    /** @throws IllegalArgumentException naming the pipelines there are */
    public PipelineDefinition require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown pipeline '" + name + "' (pipelines: " + String.join(", ", pipelines.keySet()) + ")"));
    }

    /** Built-in ones first, in their order, then the user's, in theirs. */
    public Collection<PipelineDefinition> all() {
        return pipelines.values();
    }

    /** Whether {@code name} is a configured pipeline that replaces a built-in one. */
    public boolean overridesBuiltIn(String name) {
        PipelineDefinition p = pipelines.get(name);
        return p != null && !p.builtIn() && builtInNames.contains(name);
    }

    private static LocatedYaml builtInYaml() {
        try (InputStream in = Pipelines.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            return LocatedYaml.read("built-in pipelines (" + RESOURCE.substring(1) + ")",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, PipelineDefinition> parse(JsonNode section, ConfigLocator locator, Roles roles,
                                                         boolean builtIn, List<ConfigError> errors) {
        Map<String, PipelineDefinition> out = new LinkedHashMap<>();
        if (section == null || !section.isObject()) {
            errors.add(locator.error(SECTION, "expected a mapping of pipeline name to { description, steps, synthesis }"));
            return out;
        }
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String name = entry.getKey();
            String key = SECTION + "." + name;
            int before = errors.size();
            if (!NAME.matcher(name).matches()) {
                errors.add(locator.error(key, "expected a pipeline name of letters, digits, '-' and '_'"));
                continue;
            }
            JsonNode node = entry.getValue();
            if (!node.isObject()) {
                errors.add(locator.error(key, "expected a mapping with description, steps and synthesis"));
                continue;
            }
            unknownKeys(node, PIPELINE_KEYS, key, locator, errors);
            String description = text(node, "description", key, locator, errors).orElse("");
            List<PipelineStep> steps = steps(node.get("steps"), key + ".steps", locator, roles, errors);
            PipelineStep synthesis = synthesis(node.get("synthesis"), key + ".synthesis", locator, roles,
                    steps.stream().map(PipelineStep::name).toList(), errors);
            if (errors.size() == before && !steps.isEmpty()) {
                String source = builtIn ? PipelineDefinition.BUILT_IN : locator.locate(key).source();
                out.put(name, new PipelineDefinition(name, description, steps, synthesis, source));
            }
        }
        return out;
    }

    private static List<PipelineStep> steps(JsonNode node, String key, ConfigLocator locator, Roles roles,
                                            List<ConfigError> errors) {
        List<PipelineStep> steps = new ArrayList<>();
        if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
            errors.add(locator.error(key, "a pipeline needs at least one step: a list of { role, name, prompt }"));
            return steps;
        }
        if (!node.isArray()) {
            errors.add(locator.error(key, "expected a list of steps, each { role, name, prompt } or a role id"));
            return steps;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String itemKey = key + "[" + i + "]";
            String role;
            Optional<String> name = Optional.empty();
            Optional<String> prompt = Optional.empty();
            if (item.isString()) {
                role = item.asString();
                if (!knownRole(role, itemKey, locator, roles, errors)) continue;
            } else if (item.isObject()) {
                unknownKeys(item, STEP_KEYS, itemKey, locator, errors);
                Optional<String> given = text(item, "role", itemKey, locator, errors);
                if (given.isEmpty()) {
                    if (item.get("role") == null) errors.add(locator.error(itemKey + ".role", "each step needs a role (roles: " + known(roles) + ")"));
                    continue;
                }
                role = given.get();
                if (!knownRole(role, itemKey + ".role", locator, roles, errors)) continue;
                name = text(item, "name", itemKey, locator, errors);
                prompt = text(item, "prompt", itemKey, locator, errors);
            } else {
                errors.add(locator.error(itemKey, "expected a step: { role, name, prompt } or a role id"));
                continue;
            }
            String stepName = name.orElseGet(() -> unique(role, names));
            if (!NAME.matcher(stepName).matches()) {
                errors.add(locator.error(itemKey + ".name", "expected a step name of letters, digits, '-' and '_'"));
                continue;
            }
            if (names.contains(stepName)) {
                errors.add(locator.error(itemKey + ".name", "another step is already called '" + stepName + "'; give each step its own name"));
                continue;
            }
            String template = prompt.orElse("");
            for (String problem : PromptTemplate.problems(template, names)) errors.add(locator.error(itemKey + ".prompt", problem));
            names.add(stepName);
            steps.add(new PipelineStep(stepName, role, template));
        }
        return steps;
    }

    private static PipelineStep synthesis(JsonNode node, String key, ConfigLocator locator, Roles roles,
                                          List<String> stepNames, List<ConfigError> errors) {
        String role = Roles.PLANNER;
        String prompt = DEFAULT_SYNTHESIS_PROMPT;
        if (node != null && !node.isNull()) {
            if (!node.isObject()) {
                errors.add(locator.error(key, "expected a mapping with role and prompt"));
            } else {
                unknownKeys(node, SYNTHESIS_KEYS, key, locator, errors);
                Optional<String> given = text(node, "role", key, locator, errors);
                if (given.isPresent() && knownRole(given.get(), key + ".role", locator, roles, errors)) role = given.get();
                Optional<String> template = text(node, "prompt", key, locator, errors);
                if (template.isPresent()) {
                    prompt = template.get();
                    if (!stepNames.isEmpty()) {
                        for (String problem : PromptTemplate.problems(prompt, stepNames)) errors.add(locator.error(key + ".prompt", problem));
                    }
                }
            }
        }
        return new PipelineStep(PipelineDefinition.SYNTHESIS, role, prompt);
    }

    private static boolean knownRole(String role, String key, ConfigLocator locator, Roles roles, List<ConfigError> errors) {
        if (roles.role(role).isPresent()) return true;
        errors.add(locator.error(key, "unknown role '" + role + "' (roles: " + known(roles) + ")"));
        return false;
    }

    private static String known(Roles roles) {
        return String.join(", ", roles.all().stream().map(r -> r.id()).toList());
    }

    private static String unique(String base, List<String> taken) {
        if (!taken.contains(base)) return base;
        int n = 2;
        while (taken.contains(base + "-" + n)) n++;
        return base + "-" + n;
    }

    private static void unknownKeys(JsonNode node, Set<String> allowed, String key, ConfigLocator locator,
                                    List<ConfigError> errors) {
        for (String field : node.propertyNames()) {
            if (!allowed.contains(field)) {
                errors.add(locator.error(key + "." + field, "unknown setting (expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")"));
            }
        }
    }

    private static Optional<String> text(JsonNode node, String field, String key, ConfigLocator locator,
                                         List<ConfigError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isString() || value.asString().isBlank()) {
            errors.add(locator.error(key + "." + field, "expected non-empty text"));
            return Optional.empty();
        }
        return Optional.of(value.asString());
    }
}
