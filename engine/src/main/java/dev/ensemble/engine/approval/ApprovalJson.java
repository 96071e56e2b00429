package dev.ensemble.engine.approval;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An approval as JSON, one shape for {@code ensemble approvals --json}, the daemon's API and its
 * events: snake_case keys, UTC ISO-8601 times, the timeout in seconds, and null for what a pending
 * approval has not got yet (decision, decided_by, decided_at).
 */
public final class ApprovalJson {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ApprovalJson() {}

    public static ObjectNode write(Approval a) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", a.id());
        node.put("run_id", a.runId().isEmpty() ? null : a.runId());
        node.put("repo", a.repo());
        node.put("kind", a.kind().key());
        node.put("question", a.question());
        node.put("state", a.state().key());
        node.put("created_at", a.createdAt().toString());
        node.put("timeout_s", a.timeout().toMillis() / 1000.0);
        node.put("expires_at", a.expiresAt().toString());
        node.put("default_decision", a.defaultDecision().key());
        node.put("decision", a.decision().map(Decision::key).orElse(null));
        node.put("decided_by", a.decidedBy().map(Answerer::key).orElse(null));
        node.put("decided_at", a.decidedAt().map(Object::toString).orElse(null));
        node.put("reason", a.reason());
        return node;
    }

    public static ArrayNode write(List<Approval> approvals) {
        ArrayNode array = MAPPER.createArrayNode();
        approvals.forEach(a -> array.add(write(a)));
        return array;
    }
}
