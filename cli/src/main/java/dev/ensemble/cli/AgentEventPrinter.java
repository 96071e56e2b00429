package dev.ensemble.cli;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.agents.AgentListener;
import dev.ensemble.core.Redactor;

/**
 * An agent's events as they happen, one line each on stderr: what `exec` shows live, and what `go`
 * shows under each task (there prefixed with the task and dimmed, without the agent's messages,
 * because several tasks print at once).
 */
final class AgentEventPrinter implements AgentListener {
    private static final int WIDTH = 140;

    private final Terminal term;
    private final String taskPrefix;

    private AgentEventPrinter(Terminal term, String taskPrefix) {
        this.term = term;
        this.taskPrefix = taskPrefix;
    }

    static AgentEventPrinter live(Terminal term) {
        return new AgentEventPrinter(term, "");
    }

    static AgentEventPrinter forTask(Terminal term, String taskId) {
        return new AgentEventPrinter(term, taskId);
    }

    @Override
    public void onEvent(AgentEvent event) {
        boolean live = taskPrefix.isEmpty();
        String line = switch (event) {
            case AgentEvent.Message m -> live ? term.cyan("say  ") + firstLine(m.text()) : null;
            case AgentEvent.ToolUse t -> label("tool ", live) + t.tool() + " " + shorten(t.input());
            case AgentEvent.CommandRun c -> label("run  ", live) + shorten(c.command()) + (c.exitCode() >= 0 ? " → " + c.exitCode() : "");
            case AgentEvent.Error e -> (live ? term.red("err  ") : "err  ") + firstLine(e.message());
            case AgentEvent.Raw r -> null;
            case AgentEvent.Session s -> null;
            case AgentEvent.ModelCall call -> live ? term.dim("call " + call.model() + " " + call.inputTokens() + "→"
                    + call.outputTokens() + " tokens " + Format.usd(call.costUsd()) + " " + call.latency().toMillis() + " ms"
                    + (call.outcome().equals("ok") ? "" : " " + call.outcome())) : null;
            case AgentEvent.ToolResult t -> null;
        };
        if (line == null) return;
        line = Redactor.global().redact(line);
        term.err().println(live ? line : term.dim("  " + taskPrefix + " │ " + line));
    }

    private String label(String label, boolean live) {
        return live ? term.yellow(label) : label;
    }

    private static String shorten(String s) {
        String flat = s.replaceAll("\\s+", " ");
        return flat.length() > WIDTH ? flat.substring(0, WIDTH) + "…" : flat;
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > WIDTH ? line.substring(0, WIDTH) + "…" : line;
    }
}
