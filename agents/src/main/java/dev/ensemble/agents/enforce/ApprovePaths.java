package dev.ensemble.agents.enforce;

import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLocator;
import dev.ensemble.core.plan.PlanTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code policy.approve_paths}: globs of files a person wants to see a task take on before it is
 * dispatched (migrations, auth, the billing code). A task that owns a matching path needs an
 * approval first; the enforcer still holds every task to what it owns.
 *
 * <p>A task owns paths and globs, so "owns a matching file" is read both ways: the approve glob
 * matches what the task owns ({@code db/**} flags a task owning {@code db/V2.sql} or
 * {@code db/migrations/*}), or what the task owns matches the approve glob written as a path
 * ({@code src/**} owns {@code src/auth/keys.py}). Wildcards read as literal characters then, which
 * errs towards asking: a person is asked once too often rather than once too few.
 */
public record ApprovePaths(List<Glob> globs) {
    public static final ApprovePaths NONE = new ApprovePaths(List.of());

    public ApprovePaths {
        globs = List.copyOf(globs);
    }

    public static ApprovePaths of(List<String> patterns) {
        return new ApprovePaths(Glob.all(patterns));
    }

    public boolean isEmpty() {
        return globs.isEmpty();
    }

    /** The tasks that need approval, each with the owned paths that made it so, in plan order. */
    public Map<String, List<String>> flagged(List<PlanTask> tasks) {
        Map<String, List<String>> flagged = new LinkedHashMap<>();
        for (PlanTask task : tasks) {
            List<String> matching = new ArrayList<>();
            for (String owned : task.files()) {
                if (matches(owned)) matching.add(owned);
            }
            if (!matching.isEmpty()) flagged.put(task.id(), List.copyOf(matching));
        }
        return flagged;
    }

    private boolean matches(String owned) {
        Glob ownedGlob;
        try {
            ownedGlob = Glob.of(owned);
        } catch (IllegalArgumentException e) {
            return false;  // the plan's validation has refused such a path already
        }
        for (Glob approve : globs) {
            if (approve.matches(ownedGlob.pattern()) || ownedGlob.matches(approve.pattern())) return true;
        }
        return false;
    }

    /** From the merged {@code policy:} section (its other keys are {@link Policy}'s and the sandbox's). */
    public static ApprovePaths load(JsonNode section, ConfigLocator locator) {
        if (section == null || !section.isObject()) return NONE;
        JsonNode list = section.path("approve_paths");
        if (list.isMissingNode() || list.isNull()) return NONE;
        List<String> patterns = new ArrayList<>();
        if (list.isString()) patterns.add(list.asString());
        else list.forEach(item -> patterns.add(item.asString()));
        for (int i = 0; i < patterns.size(); i++) {
            try {
                Glob.of(patterns.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(List.of(locator.error("policy.approve_paths[" + i + "]", e.getMessage())));
            }
        }
        return of(patterns);
    }
}
