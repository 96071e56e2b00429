package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The team's roles: the four defaults with the {@code roles:} configuration section laid over them.
 * A section entry for a known role changes only the fields it gives; an entry for a new id adds a
 * role (then {@code kind} is required). Every problem is reported together, as a {@link
 * ConfigException} naming {@code roles.<id>.<field>}.
 *
 * <pre>
 * roles:
 *   planner:  { name: Athena, model: claude-opus-4-5 }
 *   reviewer: { fallback: [implementer, planner] }
 *   tester:   { kind: review, system_prompt: "You write failing tests first.", fallback: [reviewer] }
 * </pre>
 */
public final class Roles {
    public static final String PLANNER = "planner";
    public static final String IMPLEMENTER = "implementer";
    public static final String REVIEWER = "reviewer";
    public static final String LIBRARIAN = "librarian";
    private static final Set<String> FIELDS = Set.of("name", "system_prompt", "kind", "model", "fallback", "max_output_tokens");
    private static final String SOURCE = "configuration (roles)";

    private final Map<String, Role> roles;

    private Roles(Map<String, Role> roles) {
        this.roles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    public static Roles defaults() {
        Map<String, Role> roles = new LinkedHashMap<>();
        roles.put(PLANNER, new Role(PLANNER, "Sisyphus",
                "You are Sisyphus, the planner. Turn the request into a short, ordered plan of small verifiable steps, "
                        + "name the files and risks involved, and do not write the code yourself.",
                TaskKind.PLANNING, Role.AUTO, List.of(REVIEWER)));
        roles.put(IMPLEMENTER, new Role(IMPLEMENTER, "Hephaestus",
                "You are Hephaestus, the implementer. Make the smallest change that does what is asked, keep the "
                        + "existing style, and leave the tests passing.",
                TaskKind.CODING, Role.AUTO, List.of(PLANNER)));
        roles.put(REVIEWER, new Role(REVIEWER, "Oracle",
                "You are Oracle, the reviewer. Judge the change against the request: correctness first, then tests, "
                        + "security and clarity. End with a verdict: approve, or request changes with reasons.",
                TaskKind.REVIEW, Role.AUTO, List.of(PLANNER)));
        roles.put(LIBRARIAN, new Role(LIBRARIAN, "Librarian",
                "You are the Librarian. Find the facts the team needs in the code, its history and its documentation, "
                        + "and cite where each came from.",
                TaskKind.SEARCH, Role.AUTO, List.of(PLANNER)));
        return new Roles(roles);
    }

    /**
     * The defaults with {@code section} (the merged {@code roles:} mapping; empty or missing means
     * none) over them. Errors name no file or line; prefer {@link #load(JsonNode, ConfigLocator)}.
     */
    public static Roles load(JsonNode section) {
        return load(section, ConfigLocator.unplaced(SOURCE));
    }

    /**
     * As {@link #load(JsonNode)}, with each error placed by {@code locator} (usually {@link
     * dev.ensemble.core.config.ConfigLoader#locator()}): the file, line and key where it was written.
     */
    public static Roles load(JsonNode section, ConfigLocator locator) {
        Roles defaults = defaults();
        if (section == null || section.isNull() || section.isMissingNode()) return defaults;
        List<ConfigError> errors = new ArrayList<>();
        if (!section.isObject()) {
            throw new ConfigException(List.of(locator.error("roles", "expected a mapping of role id to settings")));
        }
        Map<String, Role> roles = new LinkedHashMap<>(defaults.roles);
        for (Map.Entry<String, JsonNode> entry : section.properties()) {
            String id = entry.getKey();
            String key = "roles." + id;
            JsonNode node = entry.getValue();
            if (!node.isObject()) {
                errors.add(locator.error(key, "expected a mapping with name, system_prompt, kind, model, fallback"));
                continue;
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!FIELDS.contains(field.getKey())) {
                    errors.add(locator.error(key + "." + field.getKey(), "unknown setting (expected one of name, system_prompt, kind, model, fallback, max_output_tokens)"));
                }
            }
            Role base = roles.get(id);
            String name = text(node, "name", key, errors, locator).orElse(base != null ? base.displayName() : id);
            String prompt = text(node, "system_prompt", key, errors, locator).orElse(base != null ? base.systemPrompt() : "");
            String model = text(node, "model", key, errors, locator).orElse(base != null ? base.modelPreference() : Role.AUTO);
            TaskKind kind = base != null ? base.kind() : null;
            Optional<String> kindText = text(node, "kind", key, errors, locator);
            if (kindText.isPresent()) {
                try {
                    kind = TaskKind.fromKey(kindText.get());
                } catch (IllegalArgumentException e) {
                    errors.add(locator.error(key + ".kind", e.getMessage()));
                    continue;
                }
            }
            if (kind == null) {
                errors.add(locator.error(key + ".kind", "a new role needs a kind (planning, coding, review or search)"));
                continue;
            }
            List<String> fallback = base != null ? base.fallback() : List.of();
            JsonNode fb = node.get("fallback");
            if (fb != null) {
                if (!fb.isArray()) {
                    errors.add(locator.error(key + ".fallback", "expected a list of role ids"));
                    continue;
                }
                List<String> ids = new ArrayList<>();
                for (JsonNode item : fb) ids.add(item.asString());
                fallback = ids;
            }
            if (fallback.contains(id)) {
                errors.add(locator.error(key + ".fallback", "a role cannot fall back to itself"));
                continue;
            }
            int maxOutput = base != null ? base.maxOutputTokens() : 0;
            JsonNode cap = node.get("max_output_tokens");
            if (cap != null && !cap.isNull()) {
                if (!cap.isIntegralNumber() || cap.asLong() < 0 || cap.asLong() > Integer.MAX_VALUE) {
                    errors.add(locator.error(key + ".max_output_tokens", "expected a whole number of tokens, 0 or more (0: the model's maximum)"));
                    continue;
                }
                maxOutput = cap.asInt();
            }
            roles.put(id, new Role(id, name, prompt, kind, model, fallback, maxOutput));
        }
        for (Role role : roles.values()) {
            for (String target : role.fallback()) {
                if (!roles.containsKey(target)) {
                    errors.add(locator.error("roles." + role.id() + ".fallback",
                            "unknown role '" + target + "' (roles: " + String.join(", ", roles.keySet()) + ")"));
                }
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new Roles(roles);
    }

    private static Optional<String> text(JsonNode node, String field, String key, List<ConfigError> errors,
                                         ConfigLocator locator) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isString() || value.asString().isBlank()) {
            errors.add(locator.error(key + "." + field, "expected non-empty text"));
            return Optional.empty();
        }
        return Optional.of(value.asString());
    }

    public Optional<Role> role(String id) {
        return Optional.ofNullable(roles.get(id));
    }

    /** @throws IllegalArgumentException naming the known roles */
    public Role require(String id) {
        return role(id).orElseThrow(() -> new IllegalArgumentException(
                "unknown role '" + id + "' (roles: " + String.join(", ", roles.keySet()) + ")"));
    }

    public Collection<Role> all() {
        return roles.values();
    }

    /** The first role (in definition order) that serves a kind; every kind has one among the defaults. */
    public Optional<Role> forKind(TaskKind kind) {
        return roles.values().stream().filter(r -> r.kind() == kind).findFirst();
    }

    /**
     * The order in which to try roles for work meant for {@code id}: the role itself, then its
     * fallbacks in their configured order, each followed by its own fallbacks (depth first), every
     * role at most once. With the defaults, implementer gives implementer, planner, reviewer.
     */
    public List<Role> fallbackChain(String id) {
        List<Role> chain = new ArrayList<>();
        walk(require(id), chain);
        return List.copyOf(chain);
    }

    private void walk(Role role, List<Role> chain) {
        if (chain.contains(role)) return;
        chain.add(role);
        for (String next : role.fallback()) walk(roles.get(next), chain);
    }
}
