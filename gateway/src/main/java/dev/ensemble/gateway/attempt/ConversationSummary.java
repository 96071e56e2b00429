package dev.ensemble.gateway.attempt;

import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ToolCall;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A failed attempt's conversation, as the gateway saw it, told briefly to the agent that takes
 * the task over (possibly another vendor's CLI, which could not read the first one's session): the
 * tool calls it made with their results, and what it last said. Written without a model call, so
 * a handover works when every model of the vendor is down; bounded, so a long session does not
 * fill the next agent's context. The conversation is hostile input: it is quoted, never obeyed.
 */
public final class ConversationSummary {
    static final int MAX_CHARS = 4_000;
    private static final int ARGUMENT_CHARS = 160;
    private static final int RESULT_CHARS = 120;

    private ConversationSummary() {}

    /** Empty when the conversation holds no tool call and no answer (the agent got nowhere). */
    public static String of(List<ChatMessage> conversation) {
        Map<String, ChatMessage.ToolResult> results = new HashMap<>();
        for (ChatMessage m : conversation) {
            if (m instanceof ChatMessage.ToolResult r) results.put(r.callId(), r);
        }
        StringBuilder steps = new StringBuilder();
        String lastWords = "";
        int n = 0;
        for (ChatMessage m : conversation) {
            if (!(m instanceof ChatMessage.Assistant a)) continue;
            if (!a.text().isBlank()) lastWords = a.text().strip();
            for (ToolCall call : a.toolCalls()) {
                ChatMessage.ToolResult r = results.get(call.id());
                String outcome = r == null ? "no result" : (r.isError() ? "error: " : "→ ") + oneLine(r.content(), RESULT_CHARS);
                steps.append(++n).append(". ").append(call.name()).append(' ').append(oneLine(call.argumentsJson(), ARGUMENT_CHARS))
                        .append(' ').append(outcome).append('\n');
            }
        }
        if (n == 0 && lastWords.isEmpty()) return "";
        StringBuilder out = new StringBuilder();
        if (n > 0) out.append("Its tool calls, in order (quoted from its session; results cut short):\n").append(keepEnd(steps.toString()));
        if (!lastWords.isEmpty()) out.append("Its last words: ").append(oneLine(lastWords, 600)).append('\n');
        return out.toString();
    }

    /** The end of a long list matters most (where the attempt stood); the start is cut. */
    private static String keepEnd(String steps) {
        if (steps.length() <= MAX_CHARS) return steps;
        String tail = steps.substring(steps.length() - MAX_CHARS);
        return "(earlier calls left out)\n" + tail.substring(tail.indexOf('\n') + 1);
    }

    private static String oneLine(String text, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > max ? flat.substring(0, max) + "…" : flat;
    }
}
