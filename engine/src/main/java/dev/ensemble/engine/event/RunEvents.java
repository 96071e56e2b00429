package dev.ensemble.engine.event;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.core.plan.PlanTask;
import dev.ensemble.engine.run.RunListener;
import dev.ensemble.engine.run.RunResult;
import dev.ensemble.engine.run.TaskRecord;
import dev.ensemble.llm.http.HttpTransport;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/**
 * A run's progress as events in the {@link EventLog}: the scheduler's callbacks and the agents'
 * actions (tool calls, commands, messages, errors; streamed deltas and raw lines are left to the
 * transcripts). Recording never throws into the run: an event that cannot be stored is dropped,
 * since the store's own rows stay the truth of the run.
 */
public final class RunEvents implements RunListener {
    private static final int TEXT_LIMIT = 2_000;

    private final EventLog log;

    public RunEvents(EventLog log) {
        this.log = log;
    }

    public EventLog log() {
        return log;
    }

    /** Records an event of the run; for the daemon's own events (accepted, ended, cancelled). */
    public void record(String runId, String taskId, String kind, ObjectNode data) {
        try {
            log.append(runId, taskId, kind, HttpTransport.JSON.writeValueAsString(data));
        } catch (RuntimeException e) {
            // Dropped: see the class comment.
        }
    }

    public static ObjectNode data() {
        return HttpTransport.JSON.createObjectNode();
    }

    /** The agent's actions during one task's attempts. */
    public AgentListener forTask(String runId, String taskId) {
        return event -> {
            switch (event) {
                case AgentEvent.ToolUse t -> record(runId, taskId, "agent.tool", data().put("tool", t.tool()).put("input", cut(t.input())));
                case AgentEvent.CommandRun c -> record(runId, taskId, "agent.command",
                        data().put("command", cut(c.command())).put("exit_code", c.exitCode()));
                case AgentEvent.Message m -> record(runId, taskId, "agent.message", data().put("text", cut(m.text())));
                case AgentEvent.Error e -> record(runId, taskId, "agent.error", data().put("message", cut(e.message())));
                default -> { }
            }
        };
    }

    @Override
    public void taskStarted(String runId, PlanTask task, int attempt, int fallbackStep) {
        record(runId, task.id(), "task.started", data().put("title", task.title()).put("attempt", attempt).put("fallback_step", fallbackStep));
    }

    @Override
    public void taskRetrying(String runId, TaskRecord failed) {
        record(runId, failed.taskId(), "task.retrying", task(failed));
    }

    @Override
    public void taskFinished(String runId, TaskRecord task) {
        record(runId, task.taskId(), "task.finished", task(task));
    }

    @Override
    public void taskSkipped(String runId, TaskRecord task) {
        record(runId, task.taskId(), "task.skipped", task(task));
    }

    @Override
    public void runFinished(RunResult result) {
        record(result.runId(), "", "run.finished", data().put("status", result.status().key())
                .put("cost_usd", result.costUsd()).put("tasks", result.tasks().size()));
    }

    private static ObjectNode task(TaskRecord r) {
        ObjectNode d = data().put("status", r.status().name().toLowerCase(Locale.ROOT)).put("attempt", r.attempt())
                .put("fallback_step", r.fallbackStep()).put("agent", r.agent()).put("model", r.model())
                .put("reason", cut(r.reason())).put("cost_usd", r.costUsd())
                .put("input_tokens", r.usage().inputTokens()).put("output_tokens", r.usage().outputTokens());
        var files = d.putArray("files");
        r.files().forEach(files::add);
        return d;
    }

    private static String cut(String s) {
        if (s == null) return "";
        return s.length() > TEXT_LIMIT ? s.substring(0, TEXT_LIMIT) + "…" : s;
    }
}
