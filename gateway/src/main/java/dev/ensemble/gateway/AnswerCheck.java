package dev.ensemble.gateway;

import dev.ensemble.llm.ToolCall;
import java.util.List;
import java.util.Optional;

/**
 * Looks at the tool calls of an answer before they reach the client (an agent attempt's
 * tool-call auditor). A refusal replaces the answer with an error in the client's wire; whoever
 * refuses has already stopped the attempt.
 */
@FunctionalInterface
public interface AnswerCheck {
    /** Why {@code calls} must not reach the client, or empty when they may. */
    Optional<String> refuse(List<ToolCall> calls);
}
