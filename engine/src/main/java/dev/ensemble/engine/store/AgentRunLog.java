package dev.ensemble.engine.store;

import dev.ensemble.agents.AgentResult;
import dev.ensemble.agents.enforce.Verdict;
import dev.ensemble.agents.enforce.Violation;
import dev.ensemble.core.Redactor;
import java.time.Instant;
import java.util.List;

/**
 * What agents did and what the Enforcer refused, kept in the store: one row per agent run and one
 * per violation, so `ensemble exec` (and later runs) can show a rejection again with its path,
 * rule and agent.
 */
public final class AgentRunLog {
    private static final String INSERT_RUN = """
            INSERT INTO agent_runs (started_at, run_id, task_id, agent, model, status, accepted, files, input_tokens,
                                    output_tokens, cost_usd, duration_ms, session_id, failure)
            VALUES (:startedAt, :runId, :taskId, :agent, :model, :status, :accepted, :files, :inputTokens,
                    :outputTokens, :costUsd, :durationMs, :sessionId, :failure)""";
    private static final String INSERT_VIOLATION = """
            INSERT INTO violations (at, run_id, task_id, agent, path, rule, detail)
            VALUES (:at, :runId, :taskId, :agent, :path, :rule, :detail)""";

    /** A recorded violation, as `ensemble exec` and reports show it. */
    public record RecordedViolation(Instant at, String runId, String taskId, String agent, String path, String rule, String detail) {}

    private final Store store;

    public AgentRunLog(Store store) {
        this.store = store;
    }

    public Store store() {
        return store;
    }

    public void record(Instant startedAt, String runId, String taskId, String agent, String model, AgentResult result,
                       List<String> files, Verdict verdict) {
        Redactor redactor = Redactor.global();
        store.write(handle -> {
            handle.createUpdate(INSERT_RUN)
                    .bind("startedAt", UtcText.format(startedAt))
                    .bind("runId", runId).bind("taskId", taskId).bind("agent", agent).bind("model", model)
                    .bind("status", result.status().name().toLowerCase(java.util.Locale.ROOT))
                    .bind("accepted", verdict.accepted())
                    .bind("files", redactor.redact(String.join("\n", files)))
                    .bind("inputTokens", result.usage().inputTokens())
                    .bind("outputTokens", result.usage().outputTokens())
                    .bind("costUsd", result.costUsd())
                    .bind("durationMs", result.duration() == null ? 0 : result.duration().toMillis())
                    .bind("sessionId", result.sessionId().orElse(""))
                    .bind("failure", redactor.redact(result.failureReason()))
                    .execute();
            String at = UtcText.format(Instant.now());
            for (Violation v : verdict.violations()) {
                handle.createUpdate(INSERT_VIOLATION).bind("at", at).bind("runId", runId).bind("taskId", taskId)
                        .bind("agent", agent).bind("path", redactor.redact(v.path())).bind("rule", v.rule())
                        .bind("detail", redactor.redact(v.detail())).execute();
            }
            return null;
        });
    }

    /** Violations found after the agent run was recorded (the judge's commands, a late write): recorded the same way. */
    public void recordViolations(String runId, String taskId, String agent, List<Violation> violations) {
        if (violations.isEmpty()) return;
        Redactor redactor = Redactor.global();
        store.write(handle -> {
            String at = UtcText.format(Instant.now());
            for (Violation v : violations) {
                handle.createUpdate(INSERT_VIOLATION).bind("at", at).bind("runId", runId).bind("taskId", taskId)
                        .bind("agent", agent).bind("path", redactor.redact(v.path())).bind("rule", v.rule())
                        .bind("detail", redactor.redact(v.detail())).execute();
            }
            return null;
        });
    }

    /** An agent run as recorded: what a resumed run needs to account for work done before a crash. */
    public record RecordedRun(String agent, String model, List<String> files, long inputTokens, long outputTokens, double costUsd,
                              java.time.Duration duration, String sessionId) {}

    /** The latest agent run recorded for a task of a run, if any. */
    public java.util.Optional<RecordedRun> latest(String runId, String taskId) {
        return store.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT * FROM agent_runs WHERE run_id = :runId AND task_id = :taskId ORDER BY id DESC LIMIT 1")
                .bind("runId", runId).bind("taskId", taskId)
                .map((rs, ctx) -> {
                    String files = rs.getString("files");
                    return new RecordedRun(rs.getString("agent"), rs.getString("model"),
                            files.isEmpty() ? List.of() : List.of(files.split("\n")), rs.getLong("input_tokens"),
                            rs.getLong("output_tokens"), rs.getDouble("cost_usd"), java.time.Duration.ofMillis(rs.getLong("duration_ms")),
                            rs.getString("session_id"));
                })
                .findOne());
    }

    /** Every agent run recorded for a run's tasks, oldest first, as column name to value (what the daemon's API lists). */
    public List<java.util.Map<String, Object>> attempts(String runId) {
        return store.jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT id, started_at, task_id, agent, model, status, accepted, files, input_tokens, output_tokens,
                               cost_usd, duration_ms, session_id, failure FROM agent_runs WHERE run_id = :runId ORDER BY id""")
                .bind("runId", runId).mapToMap().list());
    }

    public List<RecordedViolation> violations(String runId) {
        return store.jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT at, run_id, task_id, agent, path, rule, detail FROM violations WHERE run_id = :runId ORDER BY id")
                .bind("runId", runId)
                .map((rs, ctx) -> new RecordedViolation(UtcText.parse(rs.getString("at")), rs.getString("run_id"),
                        rs.getString("task_id"), rs.getString("agent"), rs.getString("path"), rs.getString("rule"),
                        rs.getString("detail")))
                .list());
    }
}
