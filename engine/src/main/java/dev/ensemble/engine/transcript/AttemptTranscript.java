package dev.ensemble.engine.transcript;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.agents.AgentResult;
import dev.ensemble.engine.run.TaskOutcome;
import dev.ensemble.llm.ChatModel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The transcript of one attempt of one task: the prompt, every event the agent emitted (as it
 * happens, so a kill keeps what came before it), how the agent run ended, and what the attempt came
 * to; its review goes to the task's review file. As an {@link AgentListener} it writes each event,
 * then passes it on to the live view.
 */
public final class AttemptTranscript implements AgentListener {
    private final TranscriptWriter writer;
    private final TranscriptWriter reviews;
    private final String label;
    private final String role;
    private final String agent;
    private final String model;
    private final AgentListener next;
    /** Events written as they came, so that any the agent reported only in its result are written at the end. */
    private final Map<AgentEvent, Integer> seen = new HashMap<>();

    AttemptTranscript(TranscriptWriter writer, TranscriptWriter reviews, String label, String role, String agent, String model,
                      AgentListener next) {
        this.writer = writer;
        this.reviews = reviews;
        this.label = label;
        this.role = role;
        this.agent = agent;
        this.model = model;
        this.next = next;
    }

    public TranscriptWriter writer() {
        return writer;
    }

    /** The first lines: a marker when an interrupted try of this attempt wrote the file before, then the prompt. */
    public void started(String prompt) {
        if (writer.continuesEarlier()) {
            writer.append(TranscriptEntry.Kind.RESUMED, role, model, agent,
                    "ensemble stopped during this attempt; it runs again from here, the lines above are the interrupted try", null);
        }
        writer.append(TranscriptEntry.Kind.PROMPT, role, model, agent, prompt, null);
    }

    @Override
    public void onEvent(AgentEvent event) {
        synchronized (seen) {
            seen.merge(event, 1, Integer::sum);
        }
        write(event, false);
        next.onEvent(event);
    }

    /** How the agent run ended; events the agent put in its result without emitting them are written first. */
    public void finished(AgentResult result) {
        for (AgentEvent event : result.events()) {
            boolean wasSeen;
            synchronized (seen) {
                Integer n = seen.get(event);
                wasSeen = n != null;
                if (n != null && n > 1) seen.put(event, n - 1);
                else if (n != null) seen.remove(event);
            }
            if (!wasSeen) write(event, true);
        }
        ObjectNode data = TranscriptEntry.newData().put("status", lower(result.status().name())).put("exit_code", result.exitCode())
                .put("duration_ms", result.duration().toMillis()).put("cost_usd", result.costUsd());
        result.reportedCostUsd().ifPresent(usd -> data.put("agent_reported_cost_usd", usd));
        TranscribingChatModel.usage(data, result.usage());
        result.sessionId().ifPresent(id -> data.put("session_id", id));
        if (!result.failureReason().isBlank()) data.put("failure_reason", result.failureReason());
        writer.append(TranscriptEntry.Kind.RESULT, role, model, agent, result.finalMessage(), data);
    }

    /** What the attempt came to after the enforcer, the judge and the merge. */
    public void outcome(TaskOutcome outcome) {
        ObjectNode data = TranscriptEntry.newData().put("status", lower(outcome.status().name()));
        if (!outcome.files().isEmpty()) outcome.files().forEach(data.putArray("files")::add);
        outcome.sessionId().ifPresent(id -> data.put("session_id", id));
        writer.append(TranscriptEntry.Kind.OUTCOME, role, outcome.model().isEmpty() ? model : outcome.model(),
                outcome.agent().isEmpty() ? agent : outcome.agent(), outcome.reason(), data);
    }

    /** The attempt broke off with an exception (the scheduler counts it as a failed attempt). */
    public void failed(RuntimeException e) {
        writer.append(TranscriptEntry.Kind.FAILURE, role, model, agent, String.valueOf(e.getMessage()),
                TranscriptEntry.newData().put("exception", e.getClass().getName()));
    }

    /** The reviewer model for this attempt, its exchange kept in the task's review file after a line naming the attempt. */
    public ChatModel reviewer(ChatModel model) {
        reviews.append(TranscriptEntry.Kind.NOTE, "reviewer", model.spec().id(), "",
                "review of attempt " + label + " by " + agent + " with " + this.model,
                TranscriptEntry.newData().put("attempt_transcript", writer.file().getFileName().toString()));
        return new TranscribingChatModel(model, reviews, "reviewer");
    }

    private void write(AgentEvent event, boolean late) {
        ObjectNode data = TranscriptEntry.newData();
        if (late) data.put("reported_late", true);
        switch (event) {
            case AgentEvent.Message m -> entry(m, TranscriptEntry.Kind.MESSAGE, m.text(), data);
            case AgentEvent.ToolUse t -> entry(t, TranscriptEntry.Kind.TOOL_USE, t.input(), data.put("tool", t.tool()));
            case AgentEvent.CommandRun c -> entry(c, TranscriptEntry.Kind.COMMAND, c.output(),
                    data.put("command", c.command()).put("exit_code", c.exitCode()));
            case AgentEvent.Error e -> entry(e, TranscriptEntry.Kind.ERROR, e.message(), data);
            case AgentEvent.Raw r -> entry(r, TranscriptEntry.Kind.RAW, r.line(), data);
            case AgentEvent.Session s -> entry(s, TranscriptEntry.Kind.SESSION, s.sessionId(), data);
            case AgentEvent.ModelCall c -> entry(c, TranscriptEntry.Kind.MODEL_CALL, c.model(), data.put("provider", c.provider())
                    .put("input_tokens", c.inputTokens()).put("output_tokens", c.outputTokens()).put("cost_usd", c.costUsd())
                    .put("latency_ms", c.latency().toMillis()).put("outcome", c.outcome()));
            case AgentEvent.ToolResult t -> entry(t, TranscriptEntry.Kind.TOOL_RESULT, t.output(),
                    data.put("tool", t.tool()).put("error", t.error()));
        }
    }

    private void entry(AgentEvent event, TranscriptEntry.Kind kind, String text, ObjectNode data) {
        writer.append(TranscriptEntry.text(event.at() == null ? writer.now() : event.at(), kind, role, model, agent, text, data));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
