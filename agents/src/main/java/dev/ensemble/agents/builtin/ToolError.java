package dev.ensemble.agents.builtin;

/**
 * A tool call that cannot be carried out, with a message written for the model (what was wrong and
 * what to do instead). It becomes an error tool result, never a failure of the run.
 */
final class ToolError extends RuntimeException {
    ToolError(String message) {
        super(message, null, false, false);
    }
}
