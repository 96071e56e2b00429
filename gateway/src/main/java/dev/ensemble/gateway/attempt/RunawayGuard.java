package dev.ensemble.gateway.attempt;

import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ToolCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;

/**
 * Watches one attempt's requests for an agent going round in circles ({@link RunawayLimits}). An
 * agent resends its whole conversation with every request, so each request is judged on its own
 * history: the tool calls at its end, and whether it carries a tool result this attempt has not
 * seen. Requests that offer no tools (titles, summaries and other side calls) are neither progress
 * nor a lack of it. The same request asked again (a retry, the next model of a fallback chain)
 * gets the same answer and is not counted twice. One per attempt; thread-safe.
 */
final class RunawayGuard {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RunawayLimits limits;
    private final Set<String> seenContent = new HashSet<>();
    private int withoutProgress;
    private List<ChatMessage> lastMessages = List.of();
    private Optional<String> lastVerdict = Optional.empty();

    RunawayGuard(RunawayLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Why this request shows a runaway (a sentence), or empty when it may go. */
    synchronized Optional<String> check(ChatRequest request) {
        if (request.tools().isEmpty()) return Optional.empty();
        if (request.messages().equals(lastMessages)) return lastVerdict;
        lastMessages = request.messages();
        lastVerdict = judge(request.messages());
        return lastVerdict;
    }

    private Optional<String> judge(List<ChatMessage> messages) {
        if (limits.sameToolCall() > 0) {
            List<Call> calls = new ArrayList<>();
            for (ChatMessage m : messages) {
                if (m instanceof ChatMessage.Assistant a) a.toolCalls().forEach(c -> calls.add(Call.of(c)));
            }
            int run = trailingRun(calls);
            if (run >= limits.sameToolCall()) {
                return Optional.of("the same tool call (" + calls.getLast().name() + " with the same arguments) " + run
                        + " times in a row (policy.runaway.same_tool_call: " + limits.sameToolCall() + ")");
            }
        }
        boolean progress = false;
        for (ChatMessage m : messages) {
            String content = switch (m) {
                case ChatMessage.ToolResult r -> "tool:" + r.content();
                case ChatMessage.User u -> "user:" + u.text();
                default -> null;
            };
            if (content != null && seenContent.add(content)) progress = true;
        }
        withoutProgress = progress ? 0 : withoutProgress + 1;
        if (limits.noProgressRequests() > 0 && withoutProgress >= limits.noProgressRequests()) {
            return Optional.of(withoutProgress + " requests in a row with no new tool result (policy.runaway.no_progress_requests: "
                    + limits.noProgressRequests() + ")");
        }
        return Optional.empty();
    }

    private static int trailingRun(List<Call> calls) {
        if (calls.isEmpty()) return 0;
        Call last = calls.getLast();
        int run = 0;
        for (int i = calls.size() - 1; i >= 0 && calls.get(i).equals(last); i--) run++;
        return run;
    }

    /** A tool call by name and arguments; arguments compare as JSON (key order and spacing do not matter). */
    private record Call(String name, JsonNode arguments) {
        static Call of(ToolCall call) {
            JsonNode args;
            try {
                args = JSON.readTree(call.argumentsJson());
            } catch (RuntimeException e) {
                args = StringNode.valueOf(call.argumentsJson());
            }
            return new Call(call.name(), args);
        }
    }
}
