package dev.ensemble.gateway.wire;

import dev.ensemble.llm.ChatResponse;
import dev.ensemble.llm.ToolCall;

/**
 * Turns one streamed answer into this wire's server-sent events, in order. Each method returns
 * the complete SSE frames to write now (each ending in a blank line; may be empty). Stateful: one
 * per response, used from one thread.
 */
public interface StreamEncoder {

    /** The frames before any content (Anthropic {@code message_start}, Responses {@code response.created}). */
    String start();

    String text(String delta);

    /** A complete tool call (its arguments whole). */
    String toolCall(ToolCall call);

    /** The closing frames: stop reason, usage (when the client asked for it), and the wire's terminator. */
    String finish(ChatResponse response);

    /** A failure after the first byte went out: a well-formed error event of this wire, then the end. */
    String error(int httpStatus, String message);
}
