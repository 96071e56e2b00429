package dev.ensemble.engine.converse;

import java.util.Objects;

/**
 * One voice on a consensus panel.
 *
 * @param name what the panel calls it: the model or alias named on the command line, or the routed model's id
 * @param cast the model (with its fallback chain) that answers
 */
public record Panelist(String name, RoleModels.Cast cast) {
    public Panelist {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cast, "cast");
    }
}
