package dev.ensemble.gateway.attempt;

import dev.ensemble.core.Usage;
import dev.ensemble.llm.CallContext;
import dev.ensemble.llm.CallRecord;
import dev.ensemble.llm.http.HttpTransport;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A ledger row as JSON, both ways: how a running gateway hands an attempt's calls to the run that owns it. */
public final class CallRecordJson {
    private CallRecordJson() { }

    public static ObjectNode write(CallRecord r) {
        CallContext c = r.context();
        ObjectNode node = HttpTransport.JSON.createObjectNode()
                .put("started_at", r.startedAt().toString()).put("command", c.command()).put("run", c.runId()).put("task", c.taskId())
                .put("role", c.role()).put("attempt", c.attempt()).put("fallback_step", c.fallbackStep()).put("key_id", c.keyId())
                .put("client_wire", c.clientWire()).put("provider", r.provider()).put("model", r.modelId()).put("streamed", r.streamed())
                .put("input_tokens", r.usage().inputTokens()).put("output_tokens", r.usage().outputTokens())
                .put("cached_input_tokens", r.usage().cachedInputTokens()).put("cost_usd", r.costUsd())
                .put("latency_ms", r.latency().toMillis()).put("ttft_ms", r.timeToFirstToken().toMillis())
                .put("outcome", r.outcome().name()).put("error_kind", r.errorKind()).put("error", r.error());
        return node;
    }

    public static CallRecord read(JsonNode n) {
        CallContext context = new CallContext(n.path("command").asString(""), n.path("run").asString(""), n.path("task").asString(""),
                n.path("role").asString(""), n.path("attempt").asInt(1), n.path("fallback_step").asInt(0),
                n.path("key_id").asString(""), n.path("client_wire").asString(""));
        Usage usage = new Usage(Math.max(0, n.path("input_tokens").asLong(0)), Math.max(0, n.path("output_tokens").asLong(0)),
                Math.max(0, n.path("cached_input_tokens").asLong(0)));
        return new CallRecord(Instant.parse(n.path("started_at").asString()), context, n.path("provider").asString(""),
                n.path("model").asString(""), n.path("streamed").asBoolean(false), usage, Math.max(0, n.path("cost_usd").asDouble(0)),
                Duration.ofMillis(n.path("latency_ms").asLong(0)), Duration.ofMillis(n.path("ttft_ms").asLong(0)),
                "OK".equals(n.path("outcome").asString("")) ? CallRecord.Outcome.OK : CallRecord.Outcome.ERROR,
                n.path("error_kind").asString(""), n.path("error").asString(""));
    }
}
