package dev.ensemble.engine.converse;

import dev.ensemble.core.ModelSpec;
import java.util.List;

/**
 * Who played one side of a chat, as the transcript keeps it: the role, the models it would try in
 * order, why those, and its per-message token cap (0: the model's own maximum).
 */
public record ChatParticipant(String roleId, String roleName, List<String> chain, String reason, int maxOutputTokens) {
    public ChatParticipant {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("a participant needs at least one model");
    }

    public static ChatParticipant of(RoleModels.Cast cast) {
        return new ChatParticipant(cast.role().id(), cast.role().displayName(), cast.chain().stream().map(ModelSpec::id).toList(),
                cast.reason(), cast.role().maxOutputTokens());
    }

    /** The model asked first. */
    public String lead() {
        return chain.getFirst();
    }
}
