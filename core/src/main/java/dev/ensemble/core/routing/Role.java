package dev.ensemble.core.routing;

import dev.ensemble.core.TaskKind;
import java.util.List;
import java.util.Objects;

/**
 * A part someone plays in the team: the planner plans, the implementer writes code, the reviewer
 * judges it, the librarian finds things out.
 *
 * @param id              the config key and command-line name ({@code planner})
 * @param displayName     what people see ({@code Sisyphus})
 * @param systemPrompt    what the role's model is told it is
 * @param kind            the task kind it serves, which decides the capability the router weighs
 * @param modelPreference a model id, an alias, or {@link #AUTO} (let the router choose)
 * @param fallback        the roles to try, in order, when this one cannot serve (no usable model)
 * @param maxOutputTokens the most tokens one of the role's messages may have; 0 means the model's own maximum
 */
public record Role(String id, String displayName, String systemPrompt, TaskKind kind, String modelPreference, List<String> fallback,
                   int maxOutputTokens) {
    public static final String AUTO = "auto";

    public Role {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(systemPrompt, "systemPrompt");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(modelPreference, "modelPreference");
        fallback = List.copyOf(fallback);
        if (maxOutputTokens < 0) throw new IllegalArgumentException("role " + id + ": max_output_tokens must not be negative");
        if (fallback.contains(id)) throw new IllegalArgumentException("role " + id + " cannot fall back to itself");
    }

    /** A role without a message cap (the model's own maximum applies). */
    public Role(String id, String displayName, String systemPrompt, TaskKind kind, String modelPreference, List<String> fallback) {
        this(id, displayName, systemPrompt, kind, modelPreference, fallback, 0);
    }

    public boolean routed() {
        return AUTO.equals(modelPreference);
    }

    public Role withModelPreference(String preference) {
        return new Role(id, displayName, systemPrompt, kind, preference, fallback, maxOutputTokens);
    }
}
